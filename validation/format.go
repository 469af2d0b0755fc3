package validation

// "format": asserted, as the Python edition (fastjsonschema) asserts it, for the formats of drafts 7
// and 2020-12 below, and for the ones a function registers with WithFormat. A format this package does
// not know stays an annotation, as the JSON Schema specification says (Python refuses such a schema:
// a documented difference). The built-in formats apply to strings only; other values pass them.

import (
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gopowertools/powertools"
)

// schemaFormats are the formats registered with WithFormat, by name.
var schemaFormats sync.Map // string -> func(any) bool

// WithFormat registers check as the format name for every schema of the process: a value whose schema
// says "format": name is valid when check returns true for it (the decoded JSON value: string,
// float64, bool, nil, []any or map[string]any). It replaces a built-in format of the same name. Register
// formats before the first validation that needs them, typically at init or among New's options:
// WithFormat registers at once and returns an Option that does nothing more, so it can sit next to
// With. check must be safe for concurrent use. Default: the built-in formats (date-time, date, time,
// duration, email, idn-email, hostname, idn-hostname, ipv4, ipv6, uri, uri-reference, iri,
// iri-reference, uri-template, uuid, regex, json-pointer, relative-json-pointer); an unknown format is
// an annotation. There is no environment variable.
func WithFormat(name string, check func(v any) bool) powertools.Option {
	if name != "" && check != nil {
		schemaFormats.Store(name, check)
	}
	return powertools.WithMiddleware()
}

// schemaFormatValid reports whether v satisfies the format name (true for a format nobody knows).
func schemaFormatValid(name string, v any) bool {
	if f, ok := schemaFormats.Load(name); ok {
		return f.(func(any) bool)(v)
	}
	s, isString := v.(string)
	if !isString {
		return true
	}
	if f := schemaBuiltinFormats[name]; f != nil {
		return f(s)
	}
	return true
}

// schemaFormatStrings reports whether the format name only ever looks at strings (the fast path may then
// pass any other value without decoding it).
func schemaFormatStrings(name string) bool {
	_, custom := schemaFormats.Load(name)
	return !custom
}

var schemaBuiltinFormats = map[string]func(string) bool{
	"date-time":             schemaDateTime,
	"date":                  schemaDate,
	"time":                  schemaTime,
	"duration":              schemaDuration,
	"email":                 schemaEmail,
	"idn-email":             schemaEmail,
	"hostname":              func(s string) bool { return schemaHostname(s, false) },
	"idn-hostname":          func(s string) bool { return schemaHostname(s, true) },
	"ipv4":                  schemaIPv4,
	"ipv6":                  schemaIPv6,
	"uri":                   schemaURI,
	"iri":                   schemaURI,
	"uri-reference":         schemaURIReference,
	"iri-reference":         schemaURIReference,
	"uri-template":          schemaURITemplate,
	"uuid":                  schemaUUID,
	"regex":                 func(s string) bool { _, err := regexp.Compile(s); return err == nil },
	"json-pointer":          schemaJSONPointer,
	"relative-json-pointer": schemaRelativeJSONPointer,
}

// schemaDate is RFC 3339 full-date.
func schemaDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil && len(s) == 10
}

// schemaTime is RFC 3339 full-time: hh:mm:ss, an optional fraction, then Z or an offset (a leap second
// allowed at 23:59:60 UTC).
func schemaTime(s string) bool {
	if len(s) < 9 || s[2] != ':' || s[5] != ':' {
		return false
	}
	h, m, sec, ok1 := schemaDigits(s[0:2]), schemaDigits(s[3:5]), schemaDigits(s[6:8]), true
	rest := s[8:]
	if strings.HasPrefix(rest, ".") {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		ok1 = i > 1
		rest = rest[i:]
	}
	if !ok1 || h < 0 || m < 0 || sec < 0 || h > 23 || m > 59 || sec > 60 {
		return false
	}
	offH, offM := 0, 0
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		offH, offM = schemaDigits(rest[1:3]), schemaDigits(rest[4:6])
		if offH < 0 || offM < 0 || offH > 23 || offM > 59 {
			return false
		}
		if rest[0] == '+' {
			offH, offM = -offH, -offM
		}
	default:
		return false
	}
	if sec == 60 { // a leap second is 23:59:60 in UTC
		total := ((h+offH)*60 + m + offM + 24*60) % (24 * 60)
		return total == 23*60+59
	}
	return true
}

func schemaDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// schemaDateTime is RFC 3339 date-time.
func schemaDateTime(s string) bool {
	if len(s) < 11 || (s[10] != 'T' && s[10] != 't') {
		return false
	}
	return schemaDate(s[:10]) && schemaTime(s[11:])
}

var schemaDurationRe = regexp.MustCompile(`^P(?:(?:\d+Y(?:\d+M(?:\d+D)?)?|\d+M(?:\d+D)?|\d+D)(?:T(?:\d+H(?:\d+M(?:\d+S)?)?|\d+M(?:\d+S)?|\d+S))?|T(?:\d+H(?:\d+M(?:\d+S)?)?|\d+M(?:\d+S)?|\d+S)|\d+W)$`)

// schemaDuration is the ISO 8601 duration of RFC 3339 appendix A.
func schemaDuration(s string) bool { return schemaDurationRe.MatchString(s) }

// schemaEmail is an RFC 5321 mailbox: a dot-atom (or quoted) local part of at most 64 bytes, "@", then a
// hostname or an address literal ([192.0.2.1], [IPv6:2001:db8::1]).
func schemaEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || at > 64 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"' {
		for i := 1; i < len(local)-1; i++ {
			if c := local[i]; c == '\\' {
				i++
			} else if c == '"' || c < 0x20 {
				return false
			}
		}
	} else {
		if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
			return false
		}
		for i := 0; i < len(local); i++ {
			c := local[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80 || strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0) {
				return false
			}
		}
	}
	if strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]") {
		lit := domain[1 : len(domain)-1]
		if v6, ok := strings.CutPrefix(lit, "IPv6:"); ok {
			return schemaIPv6(v6)
		}
		return schemaIPv4(lit)
	}
	return schemaHostname(domain, true)
}

// schemaHostname is RFC 1123: labels of letters, digits and hyphens, 63 bytes at most, 253 in all;
// idn allows non-ASCII letters in labels.
func schemaHostname(s string, idn bool) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			case idn && r > 0x7f:
			default:
				return false
			}
		}
	}
	return true
}

func schemaIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

func schemaIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && a.Zone() == "" && !strings.Contains(s, "%")
}

func schemaURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.IsAbs() && !strings.ContainsAny(s, " \\<>\"{}|^`")
}

func schemaURIReference(s string) bool {
	_, err := url.Parse(s)
	return err == nil && !strings.ContainsAny(s, " \\<>\"{}|^`")
}

// schemaURITemplate is RFC 6570 at the level of its braces: balanced, not nested, not empty.
func schemaURITemplate(s string) bool {
	open := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			if open {
				return false
			}
			open = true
		case '}':
			if !open || s[i-1] == '{' {
				return false
			}
			open = false
		}
	}
	return !open
}

var schemaUUIDRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func schemaUUID(s string) bool { return schemaUUIDRe.MatchString(s) }

// schemaJSONPointer is RFC 6901: empty, or "/"-separated tokens where "~" is followed by 0 or 1.
func schemaJSONPointer(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '~' && (i+1 == len(s) || s[i+1] != '0' && s[i+1] != '1') {
			return false
		}
	}
	return true
}

// schemaRelativeJSONPointer is a non-negative integer (no leading zero) followed by "#" or a JSON pointer.
func schemaRelativeJSONPointer(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || (s[0] == '0' && i > 1) {
		return false
	}
	if _, err := strconv.Atoi(s[:i]); err != nil {
		return false
	}
	return s[i:] == "#" || schemaJSONPointer(s[i:])
}
