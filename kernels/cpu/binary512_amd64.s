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

// VS: d = a OP c and SV: d = c OP a for a scalar c broadcast by BCAST,
// nblk blocks of 256 bytes.
#define VS(NAME, OP, BCAST) \
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
	OP Z4, Z0, Z0; \
	OP Z4, Z1, Z1; \
	OP Z4, Z2, Z2; \
	OP Z4, Z3, Z3; \
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

#define SV(NAME, OP, BCAST) \
TEXT NAME(SB), NOSPLIT, $0-32; \
	MOVQ d+0(FP), DI; \
	MOVQ a+8(FP), SI; \
	BCAST c+16(FP), Z4; \
	MOVQ nblk+24(FP), CX; \
	TESTQ CX, CX; \
	JLE done; \
loop: \
	OP (SI), Z4, Z0; \
	OP 64(SI), Z4, Z1; \
	OP 128(SI), Z4, Z2; \
	OP 192(SI), Z4, Z3; \
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
VS(·addSF64AVX512, VADDPD, VBROADCASTSD)
// func subSF64AVX512(d, a *float64, c float64, nblk int)
VS(·subSF64AVX512, VSUBPD, VBROADCASTSD)
// func mulSF64AVX512(d, a *float64, c float64, nblk int)
VS(·mulSF64AVX512, VMULPD, VBROADCASTSD)
// func divSF64AVX512(d, a *float64, c float64, nblk int)
VS(·divSF64AVX512, VDIVPD, VBROADCASTSD)
// func addRF64AVX512(d, a *float64, c float64, nblk int)
SV(·addRF64AVX512, VADDPD, VBROADCASTSD)
// func subRF64AVX512(d, a *float64, c float64, nblk int)
SV(·subRF64AVX512, VSUBPD, VBROADCASTSD)
// func mulRF64AVX512(d, a *float64, c float64, nblk int)
SV(·mulRF64AVX512, VMULPD, VBROADCASTSD)
// func divRF64AVX512(d, a *float64, c float64, nblk int)
SV(·divRF64AVX512, VDIVPD, VBROADCASTSD)
// func addSF32AVX512(d, a *float32, c float32, nblk int)
VS(·addSF32AVX512, VADDPS, VBROADCASTSS)
// func subSF32AVX512(d, a *float32, c float32, nblk int)
VS(·subSF32AVX512, VSUBPS, VBROADCASTSS)
// func mulSF32AVX512(d, a *float32, c float32, nblk int)
VS(·mulSF32AVX512, VMULPS, VBROADCASTSS)
// func divSF32AVX512(d, a *float32, c float32, nblk int)
VS(·divSF32AVX512, VDIVPS, VBROADCASTSS)
// func addRF32AVX512(d, a *float32, c float32, nblk int)
SV(·addRF32AVX512, VADDPS, VBROADCASTSS)
// func subRF32AVX512(d, a *float32, c float32, nblk int)
SV(·subRF32AVX512, VSUBPS, VBROADCASTSS)
// func mulRF32AVX512(d, a *float32, c float32, nblk int)
SV(·mulRF32AVX512, VMULPS, VBROADCASTSS)
// func divRF32AVX512(d, a *float32, c float32, nblk int)
SV(·divRF32AVX512, VDIVPS, VBROADCASTSS)
