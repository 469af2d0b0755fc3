package coldstart

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Init is what GODEBUG=inittrace=1 says about one start of a binary: the clock time spent in package
// initialisers (before main) and the heaviest one. It is the profile of a cold start: New and the first
// invocation come after it, and cost little (bench/README.md).
type Init struct {
	Total    time.Duration
	Heaviest string
	HeavyDur time.Duration
}

// InitTrace starts b without a runtime API, so it exits right after its package initialisers (the
// Lambda runtime refuses to run outside Lambda), and reads the runtime's init trace from its stderr.
func InitTrace(ctx context.Context, b Binary) (Init, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.Path)
	cmd.Env = []string{"GODEBUG=inittrace=1"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	_ = cmd.Run() // it exits 1: no runtime API
	in, n := parseInitTrace(stderr.Bytes())
	if n == 0 {
		return Init{}, fmt.Errorf("coldstart: %s: no init trace in %q", b.Name, stderr.Bytes())
	}
	return in, nil
}

// parseInitTrace sums lines "init <pkg> @<start> ms, <clock> ms clock, <bytes> bytes, <n> allocs".
func parseInitTrace(out []byte) (Init, int) {
	var in Init
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
			continue
		}
		ms, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			continue
		}
		d := time.Duration(math.Round(ms * float64(time.Millisecond)))
		in.Total += d
		if d > in.HeavyDur {
			in.Heaviest, in.HeavyDur = f[1], d
		}
		n++
	}
	return in, n
}
