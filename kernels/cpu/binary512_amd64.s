// AVX-512 float64 and float32 Add, Sub, Mul and Div (see binary512_amd64.go):
// 256 bytes (four ZMM registers) a loop, each kernel ending in VZEROUPPER.
// The first source of each instruction is the operation's left operand, as
// in the scalar code, so even NaN payloads come out the same.

#include "textflag.h"

// VV: d = a OP b, nblk blocks of 256 bytes.
#define VV(NAME, OP) \
TEXT NAME(SB), NOSPLIT, $0-32; \
	MOVQ d+0(FP), DI; \
	MOVQ a+8(FP), SI; \
	MOVQ b+16(FP), DX; \
	MOVQ nblk+24(FP), CX; \
	TESTQ CX, CX; \
	JLE done; \
loop: \
	VMOVUPD (SI), Z0; \
	VMOVUPD 64(SI), Z1; \
	VMOVUPD 128(SI), Z2; \
	VMOVUPD 192(SI), Z3; \
	OP (DX), Z0, Z0; \
	OP 64(DX), Z1, Z1; \
	OP 128(DX), Z2, Z2; \
	OP 192(DX), Z3, Z3; \
	VMOVUPD Z0, (DI); \
	VMOVUPD Z1, 64(DI); \
	VMOVUPD Z2, 128(DI); \
	VMOVUPD Z3, 192(DI); \
	ADDQ $256, SI; \
	ADDQ $256, DX; \
	ADDQ $256, DI; \
	DECQ CX; \
	JNZ loop; \
done: \
	VZEROUPPER; \
	RET

// CONST: d = a OP c (STEP = VSSTEP) or d = c OP a (STEP = SVSTEP) for a
// scalar c broadcast by BCAST into Z4, nblk blocks of 256 bytes.
#define VSSTEP(OP, R) OP Z4, R, R
#define SVSTEP(OP, R) OP R, Z4, R
#define CONST(NAME, OP, BCAST, STEP) \
TEXT NAME(SB), NOSPLIT, $0-32; \
	MOVQ d+0(FP), DI; \
	MOVQ a+8(FP), SI; \
	BCAST c+16(FP), Z4; \
	MOVQ nblk+24(FP), CX; \
	TESTQ CX, CX; \
	JLE done; \
loop: \
	VMOVUPD (SI), Z0; \
	VMOVUPD 64(SI), Z1; \
	VMOVUPD 128(SI), Z2; \
	VMOVUPD 192(SI), Z3; \
	STEP(OP, Z0); \
	STEP(OP, Z1); \
	STEP(OP, Z2); \
	STEP(OP, Z3); \
	VMOVUPD Z0, (DI); \
	VMOVUPD Z1, 64(DI); \
	VMOVUPD Z2, 128(DI); \
	VMOVUPD Z3, 192(DI); \
	ADDQ $256, SI; \
	ADDQ $256, DI; \
	DECQ CX; \
	JNZ loop; \
done: \
	VZEROUPPER; \
	RET

// func addF64AVX512(d, a, b *float64, nblk int)
VV(·addF64AVX512, VADDPD)
// func subF64AVX512(d, a, b *float64, nblk int)
VV(·subF64AVX512, VSUBPD)
// func mulF64AVX512(d, a, b *float64, nblk int)
VV(·mulF64AVX512, VMULPD)
// func divF64AVX512(d, a, b *float64, nblk int)
VV(·divF64AVX512, VDIVPD)
// func addF32AVX512(d, a, b *float32, nblk int)
VV(·addF32AVX512, VADDPS)
// func subF32AVX512(d, a, b *float32, nblk int)
VV(·subF32AVX512, VSUBPS)
// func mulF32AVX512(d, a, b *float32, nblk int)
VV(·mulF32AVX512, VMULPS)
// func divF32AVX512(d, a, b *float32, nblk int)
VV(·divF32AVX512, VDIVPS)
// func addSF64AVX512(d, a *float64, c float64, nblk int)
CONST(·addSF64AVX512, VADDPD, VBROADCASTSD, VSSTEP)
// func subSF64AVX512(d, a *float64, c float64, nblk int)
CONST(·subSF64AVX512, VSUBPD, VBROADCASTSD, VSSTEP)
// func mulSF64AVX512(d, a *float64, c float64, nblk int)
CONST(·mulSF64AVX512, VMULPD, VBROADCASTSD, VSSTEP)
// func divSF64AVX512(d, a *float64, c float64, nblk int)
CONST(·divSF64AVX512, VDIVPD, VBROADCASTSD, VSSTEP)
// func addRF64AVX512(d, a *float64, c float64, nblk int)
CONST(·addRF64AVX512, VADDPD, VBROADCASTSD, SVSTEP)
// func subRF64AVX512(d, a *float64, c float64, nblk int)
CONST(·subRF64AVX512, VSUBPD, VBROADCASTSD, SVSTEP)
// func mulRF64AVX512(d, a *float64, c float64, nblk int)
CONST(·mulRF64AVX512, VMULPD, VBROADCASTSD, SVSTEP)
// func divRF64AVX512(d, a *float64, c float64, nblk int)
CONST(·divRF64AVX512, VDIVPD, VBROADCASTSD, SVSTEP)
// func addSF32AVX512(d, a *float32, c float32, nblk int)
CONST(·addSF32AVX512, VADDPS, VBROADCASTSS, VSSTEP)
// func subSF32AVX512(d, a *float32, c float32, nblk int)
CONST(·subSF32AVX512, VSUBPS, VBROADCASTSS, VSSTEP)
// func mulSF32AVX512(d, a *float32, c float32, nblk int)
CONST(·mulSF32AVX512, VMULPS, VBROADCASTSS, VSSTEP)
// func divSF32AVX512(d, a *float32, c float32, nblk int)
CONST(·divSF32AVX512, VDIVPS, VBROADCASTSS, VSSTEP)
// func addRF32AVX512(d, a *float32, c float32, nblk int)
CONST(·addRF32AVX512, VADDPS, VBROADCASTSS, SVSTEP)
// func subRF32AVX512(d, a *float32, c float32, nblk int)
CONST(·subRF32AVX512, VSUBPS, VBROADCASTSS, SVSTEP)
// func mulRF32AVX512(d, a *float32, c float32, nblk int)
CONST(·mulRF32AVX512, VMULPS, VBROADCASTSS, SVSTEP)
// func divRF32AVX512(d, a *float32, c float32, nblk int)
CONST(·divRF32AVX512, VDIVPS, VBROADCASTSS, SVSTEP)
