#include "textflag.h"

// func logFramePointer() unsafe.Pointer
TEXT ·logFramePointer(SB), NOSPLIT|NOFRAME, $0-8
	MOVD R29, ret+0(FP)
	RET
