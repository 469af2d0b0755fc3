#include "textflag.h"

// func logFramePointer() unsafe.Pointer
TEXT ·logFramePointer(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ BP, ret+0(FP)
	RET
