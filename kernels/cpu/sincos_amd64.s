// Vector sin and cos of the same input at once (see sincos_amd64.go):
// trig_amd64.s's kernels with both results picked from one reduction and
// one pair of polynomials, the same bits as trigGo's sin and cos.

#include "textflag.h"

// func sincosAVX2(dsts, dstc, src *float64, nvec int, tab *trigTab) int
TEXT ·sincosAVX2(SB), NOSPLIT, $0-48
	MOVQ dsts+0(FP), DI
	MOVQ dstc+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ nvec+24(FP), CX
	MOVQ tab+32(FP), R8
	XORQ AX, AX
	VXORPD Y15, Y15, Y15
sincosAVX2loop:
	CMPQ AX, CX
	JGE sincosAVX2done
	VMOVUPD (SI), Y0
	VANDPD 0(R8), Y0, Y1
	VCMPPD $0x12, 64(R8), Y1, Y1 // |x| <= 2^28, false for NaN
	VMOVMSKPD Y1, BX
	CMPQ BX, $0x0f
	JNE sincosAVX2done
	VMOVUPD 192(R8), Y3
	VFMADD231PD 128(R8), Y0, Y3 // t = x*2/pi + magic
	VSUBPD 192(R8), Y3, Y5 // q = t - magic
	VMOVAPD Y0, Y6
	VFNMADD231PD 256(R8), Y5, Y6
	VFNMADD231PD 320(R8), Y5, Y6
	VFNMADD231PD 384(R8), Y5, Y6 // r
	VMULPD Y6, Y6, Y7 // z = r*r
	VMOVUPD 768(R8), Y8
	VFMADD213PD 704(R8), Y7, Y8
	VFMADD213PD 640(R8), Y7, Y8
	VFMADD213PD 576(R8), Y7, Y8
	VFMADD213PD 512(R8), Y7, Y8
	VFMADD213PD 448(R8), Y7, Y8
	VMULPD Y7, Y6, Y9 // r*z
	VFMADD213PD Y6, Y9, Y8 // s = (r*z)*(z*ps + S1) + r
	VMOVUPD 1152(R8), Y10
	VFMADD213PD 1088(R8), Y7, Y10
	VFMADD213PD 1024(R8), Y7, Y10
	VFMADD213PD 960(R8), Y7, Y10
	VFMADD213PD 896(R8), Y7, Y10
	VFMADD213PD 832(R8), Y7, Y10
	VMULPD 1216(R8), Y7, Y11 // hz
	VMOVUPD 1280(R8), Y12
	VSUBPD Y11, Y12, Y12 // w = 1 - hz
	VMOVUPD 1280(R8), Y13
	VSUBPD Y12, Y13, Y13
	VSUBPD Y11, Y13, Y13 // (1-w) - hz
	VMULPD Y7, Y7, Y14 // z*z
	VFMADD231PD Y10, Y14, Y13
	VADDPD Y13, Y12, Y12 // c
	VPSLLQ $63, Y3, Y13 // odd quadrant in the sign bit
	VBLENDVPD Y13, Y12, Y8, Y9 // sin: odd ? c : s
	VBLENDVPD Y13, Y8, Y12, Y10 // cos: odd ? s : c
	VPSRLQ $1, Y3, Y13
	VPSLLQ $63, Y13, Y13
	VXORPD Y13, Y9, Y9 // sin negated in quadrants 2 and 3
	VPADDQ 1344(R8), Y3, Y3 // n + 1
	VPSRLQ $1, Y3, Y13
	VPSLLQ $63, Y13, Y13
	VXORPD Y13, Y10, Y10 // cos: bit 1 of n + 1
	VCMPPD $0, Y15, Y0, Y13 // sin(±0) = ±0
	VBLENDVPD Y13, Y0, Y9, Y9
	VMOVUPD Y9, (DI)
	VMOVUPD Y10, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	INCQ AX
	JMP sincosAVX2loop
sincosAVX2done:
	SHLQ $2, AX
	MOVQ AX, ret+40(FP)
	VZEROUPPER
	RET

// func sincosAVX512(dsts, dstc, src *float64, nvec int, tab *trigTab) int
TEXT ·sincosAVX512(SB), NOSPLIT, $0-48
	MOVQ dsts+0(FP), DI
	MOVQ dstc+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ nvec+24(FP), CX
	MOVQ tab+32(FP), R8
	XORQ AX, AX
	VPXORQ Z15, Z15, Z15
sincosAVX512loop:
	CMPQ AX, CX
	JGE sincosAVX512done
	VMOVUPD (SI), Z0
	VPANDQ 0(R8), Z0, Z1
	VCMPPD $0x12, 64(R8), Z1, K1 // |x| <= 2^28, false for NaN
	KMOVW K1, BX
	CMPQ BX, $0xff
	JNE sincosAVX512done
	VMOVUPD 192(R8), Z3
	VFMADD231PD 128(R8), Z0, Z3 // t = x*2/pi + magic
	VSUBPD 192(R8), Z3, Z5 // q = t - magic
	VMOVAPD Z0, Z6
	VFNMADD231PD 256(R8), Z5, Z6
	VFNMADD231PD 320(R8), Z5, Z6
	VFNMADD231PD 384(R8), Z5, Z6 // r
	VMULPD Z6, Z6, Z7 // z = r*r
	VMOVUPD 768(R8), Z8
	VFMADD213PD 704(R8), Z7, Z8
	VFMADD213PD 640(R8), Z7, Z8
	VFMADD213PD 576(R8), Z7, Z8
	VFMADD213PD 512(R8), Z7, Z8
	VFMADD213PD 448(R8), Z7, Z8
	VMULPD Z7, Z6, Z9 // r*z
	VFMADD213PD Z6, Z9, Z8 // s = (r*z)*(z*ps + S1) + r
	VMOVUPD 1152(R8), Z10
	VFMADD213PD 1088(R8), Z7, Z10
	VFMADD213PD 1024(R8), Z7, Z10
	VFMADD213PD 960(R8), Z7, Z10
	VFMADD213PD 896(R8), Z7, Z10
	VFMADD213PD 832(R8), Z7, Z10
	VMULPD 1216(R8), Z7, Z11 // hz
	VMOVUPD 1280(R8), Z12
	VSUBPD Z11, Z12, Z12 // w = 1 - hz
	VMOVUPD 1280(R8), Z13
	VSUBPD Z12, Z13, Z13
	VSUBPD Z11, Z13, Z13 // (1-w) - hz
	VMULPD Z7, Z7, Z14 // z*z
	VFMADD231PD Z10, Z14, Z13
	VADDPD Z13, Z12, Z12 // c
	VPTESTMQ 1344(R8), Z3, K2 // odd quadrant
	VBLENDMPD Z12, Z8, K2, Z9 // sin: odd ? c : s
	VBLENDMPD Z8, Z12, K2, Z10 // cos: odd ? s : c
	VPSRLQ $1, Z3, Z13
	VPSLLQ $63, Z13, Z13
	VPXORQ Z13, Z9, Z9 // sin negated in quadrants 2 and 3
	VPADDQ 1344(R8), Z3, Z3 // n + 1
	VPSRLQ $1, Z3, Z13
	VPSLLQ $63, Z13, Z13
	VPXORQ Z13, Z10, Z10 // cos: bit 1 of n + 1
	VCMPPD $0, Z15, Z0, K3 // sin(±0) = ±0
	VMOVAPD Z0, K3, Z9
	VMOVUPD Z9, (DI)
	VMOVUPD Z10, (DX)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	INCQ AX
	JMP sincosAVX512loop
sincosAVX512done:
	SHLQ $3, AX
	MOVQ AX, ret+40(FP)
	VZEROUPPER
	RET
