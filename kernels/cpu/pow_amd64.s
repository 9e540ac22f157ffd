// Vector pow (see pow_amd64.go): powGo's fast path lane for lane, the
// same operations in the same order with the same FMAs and the same table
// entries (gathered), so the bits equal the Go code's. k = int64(tmp)>>52
// is taken through the low bits of 1.5*2^52 as in log_amd64.s. Each
// kernel stops before the first vector holding a lane whose x is not a
// positive normal float64 or whose y*log(x) is outside (-708, 709) or
// NaN, and returns how many elements it wrote. Entry k of powVecTab is
// at 64*k; powTables' arrays are at 0, 1024, ..., 4096.

#include "textflag.h"

// func powAVX2(dst, x, y *float64, nvec int, c *powVecTab, t *powTables) int
TEXT ·powAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ nvec+24(FP), CX
	MOVQ c+32(FP), R8
	MOVQ t+40(FP), R9
	XORQ AX, AX
powAVX2loop:
	CMPQ AX, CX
	JGE powAVX2done
	VMOVUPD (SI), Y0
	VCMPPD $0x1d, 0(R8), Y0, Y1 // x >= 2^-1022, false for NaN
	VCMPPD $0x12, 64(R8), Y0, Y2 // x <= MaxFloat64
	VANDPD Y2, Y1, Y1
	VMOVMSKPD Y1, BX
	CMPQ BX, $0x0f
	JNE powAVX2done
	VPSUBQ 128(R8), Y0, Y1 // tmp = ix - off
	VPSRLQ $45, Y1, Y2
	VPAND 192(R8), Y2, Y2
	VPSRLQ $52, Y1, Y3
	VPXOR 256(R8), Y3, Y3
	VPOR 320(R8), Y3, Y3
	VSUBPD 384(R8), Y3, Y3 // kd
	VPAND 448(R8), Y1, Y1
	VPSUBQ Y1, Y0, Y1 // z
	VPCMPEQQ Y13, Y13, Y13
	VGATHERQPD Y13, 0(R9)(Y2*8), Y4 // invc
	VPCMPEQQ Y13, Y13, Y13
	VGATHERQPD Y13, 1024(R9)(Y2*8), Y5 // logc
	VPCMPEQQ Y13, Y13, Y13
	VGATHERQPD Y13, 2048(R9)(Y2*8), Y6 // logctail
	VFMSUB213PD 512(R8), Y4, Y1 // r = z*invc - 1, exact
	VMULPD 576(R8), Y3, Y4
	VADDPD Y5, Y4, Y4 // t1 = kd*ln2Hi + logc
	VADDPD Y1, Y4, Y5 // t2 = t1 + r
	VFMADD231PD 640(R8), Y3, Y6 // lo1 = kd*ln2Lo + logctail
	VSUBPD Y5, Y4, Y4
	VADDPD Y1, Y4, Y4 // lo2 = (t1 - t2) + r
	VADDPD Y4, Y6, Y6 // lo1 + lo2
	VMULPD 704(R8), Y1, Y3 // ar = -0.5*r
	VMULPD Y3, Y1, Y7 // ar2 = r*ar
	VADDPD Y7, Y5, Y8 // h = t2 + ar2
	VFMSUB213PD Y7, Y1, Y3 // lo3 = ar*r - ar2
	VADDPD Y3, Y6, Y6
	VSUBPD Y8, Y5, Y5
	VADDPD Y7, Y5, Y5 // lo4 = (t2 - h) + ar2
	VADDPD Y5, Y6, Y6
	VMULPD Y1, Y1, Y2 // r2
	VMULPD Y2, Y2, Y3 // r4
	VMOVUPD 832(R8), Y4
	VFMADD213PD 768(R8), Y1, Y4 // q01
	VMOVUPD 960(R8), Y5
	VFMADD213PD 896(R8), Y1, Y5 // q23
	VMOVUPD 1088(R8), Y7
	VFMADD213PD 1024(R8), Y1, Y7 // q45
	VMOVUPD 1216(R8), Y9
	VFMADD213PD 1152(R8), Y1, Y9 // q67
	VFMADD213PD Y7, Y2, Y9 // q67*r2 + q45
	VFMADD213PD Y4, Y2, Y5 // q23*r2 + q01
	VFMADD213PD Y5, Y3, Y9 // q
	VMULPD Y1, Y2, Y4 // r2*r
	VMULPD Y9, Y4, Y4 // p
	VADDPD Y4, Y6, Y6 // l = lo1 + lo2 + lo3 + lo4 + p
	VADDPD Y6, Y8, Y9 // hi = h + l
	VSUBPD Y9, Y8, Y8
	VADDPD Y6, Y8, Y8 // lo = (h - hi) + l
	VMULPD (DX), Y9, Y10 // ehi = y*hi
	VMOVUPD (DX), Y11
	VFMSUB213PD Y10, Y9, Y11 // y*hi - ehi
	VFMADD231PD (DX), Y8, Y11 // elo = y*lo + (y*hi - ehi)
	VCMPPD $0x1e, 1280(R8), Y10, Y12 // ehi > -708, false for NaN
	VCMPPD $0x11, 1344(R8), Y10, Y13 // ehi < 709
	VANDPD Y13, Y12, Y12
	VMOVMSKPD Y12, BX
	CMPQ BX, $0x0f
	JNE powAVX2done
	VMOVUPD 320(R8), Y1
	VFMADD231PD 1408(R8), Y10, Y1 // t = ehi*128/ln2 + magic
	VSUBPD 320(R8), Y1, Y2 // kd
	VPSUBQ 320(R8), Y1, Y1 // ki
	VMOVAPD Y10, Y3
	VFNMADD231PD 1472(R8), Y2, Y3
	VFNMADD231PD 1536(R8), Y2, Y3
	VADDPD Y11, Y3, Y3 // r
	VMULPD Y3, Y3, Y4 // r2
	VMOVUPD 1664(R8), Y5
	VFMADD213PD 1600(R8), Y3, Y5 // pa
	VMOVUPD 1856(R8), Y6
	VFMADD213PD 1792(R8), Y3, Y6
	VFMADD213PD 1728(R8), Y3, Y6 // pb
	VMULPD Y4, Y4, Y7 // r2*r2
	VMULPD Y5, Y4, Y5 // r2*pa
	VFMADD231PD Y6, Y7, Y5 // p
	VPAND 192(R8), Y1, Y2 // j
	VPCMPEQQ Y13, Y13, Y13
	VGATHERQPD Y13, 3072(R9)(Y2*8), Y8 // tail
	VPCMPEQQ Y13, Y13, Y13
	VGATHERQPD Y13, 4096(R9)(Y2*8), Y12 // sbits
	VADDPD Y3, Y8, Y8
	VADDPD Y5, Y8, Y8 // tmp = (tail + r) + p
	VPSLLQ $45, Y1, Y1
	VPADDQ Y1, Y12, Y12 // scale
	VFMADD213PD Y12, Y12, Y8 // scale*tmp + scale
	VMOVUPD Y8, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	INCQ AX
	JMP powAVX2loop
powAVX2done:
	SHLQ $2, AX
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET

// func powAVX512(dst, x, y *float64, nvec int, c *powVecTab, t *powTables) int
TEXT ·powAVX512(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ nvec+24(FP), CX
	MOVQ c+32(FP), R8
	MOVQ t+40(FP), R9
	XORQ AX, AX
powAVX512loop:
	CMPQ AX, CX
	JGE powAVX512done
	VMOVUPD (SI), Z0
	VCMPPD $0x1d, 0(R8), Z0, K1 // x >= 2^-1022, false for NaN
	VCMPPD $0x12, 64(R8), Z0, K2 // x <= MaxFloat64
	KANDW K1, K2, K1
	KMOVW K1, BX
	CMPQ BX, $0xff
	JNE powAVX512done
	VPSUBQ 128(R8), Z0, Z1 // tmp = ix - off
	VPSRLQ $45, Z1, Z2
	VPANDQ 192(R8), Z2, Z2
	VPSRLQ $52, Z1, Z3
	VPXORQ 256(R8), Z3, Z3
	VPORQ 320(R8), Z3, Z3
	VSUBPD 384(R8), Z3, Z3 // kd
	VPANDQ 448(R8), Z1, Z1
	VPSUBQ Z1, Z0, Z1 // z
	KXNORW K3, K3, K3
	VGATHERQPD 0(R9)(Z2*8), K3, Z4 // invc
	KXNORW K3, K3, K3
	VGATHERQPD 1024(R9)(Z2*8), K3, Z5 // logc
	KXNORW K3, K3, K3
	VGATHERQPD 2048(R9)(Z2*8), K3, Z6 // logctail
	VFMSUB213PD 512(R8), Z4, Z1 // r = z*invc - 1, exact
	VMULPD 576(R8), Z3, Z4
	VADDPD Z5, Z4, Z4 // t1 = kd*ln2Hi + logc
	VADDPD Z1, Z4, Z5 // t2 = t1 + r
	VFMADD231PD 640(R8), Z3, Z6 // lo1 = kd*ln2Lo + logctail
	VSUBPD Z5, Z4, Z4
	VADDPD Z1, Z4, Z4 // lo2 = (t1 - t2) + r
	VADDPD Z4, Z6, Z6 // lo1 + lo2
	VMULPD 704(R8), Z1, Z3 // ar = -0.5*r
	VMULPD Z3, Z1, Z7 // ar2 = r*ar
	VADDPD Z7, Z5, Z8 // h = t2 + ar2
	VFMSUB213PD Z7, Z1, Z3 // lo3 = ar*r - ar2
	VADDPD Z3, Z6, Z6
	VSUBPD Z8, Z5, Z5
	VADDPD Z7, Z5, Z5 // lo4 = (t2 - h) + ar2
	VADDPD Z5, Z6, Z6
	VMULPD Z1, Z1, Z2 // r2
	VMULPD Z2, Z2, Z3 // r4
	VMOVUPD 832(R8), Z4
	VFMADD213PD 768(R8), Z1, Z4 // q01
	VMOVUPD 960(R8), Z5
	VFMADD213PD 896(R8), Z1, Z5 // q23
	VMOVUPD 1088(R8), Z7
	VFMADD213PD 1024(R8), Z1, Z7 // q45
	VMOVUPD 1216(R8), Z9
	VFMADD213PD 1152(R8), Z1, Z9 // q67
	VFMADD213PD Z7, Z2, Z9 // q67*r2 + q45
	VFMADD213PD Z4, Z2, Z5 // q23*r2 + q01
	VFMADD213PD Z5, Z3, Z9 // q
	VMULPD Z1, Z2, Z4 // r2*r
	VMULPD Z9, Z4, Z4 // p
	VADDPD Z4, Z6, Z6 // l = lo1 + lo2 + lo3 + lo4 + p
	VADDPD Z6, Z8, Z9 // hi = h + l
	VSUBPD Z9, Z8, Z8
	VADDPD Z6, Z8, Z8 // lo = (h - hi) + l
	VMULPD (DX), Z9, Z10 // ehi = y*hi
	VMOVUPD (DX), Z11
	VFMSUB213PD Z10, Z9, Z11 // y*hi - ehi
	VFMADD231PD (DX), Z8, Z11 // elo = y*lo + (y*hi - ehi)
	VCMPPD $0x1e, 1280(R8), Z10, K1 // ehi > -708, false for NaN
	VCMPPD $0x11, 1344(R8), Z10, K2 // ehi < 709
	KANDW K1, K2, K1
	KMOVW K1, BX
	CMPQ BX, $0xff
	JNE powAVX512done
	VMOVUPD 320(R8), Z1
	VFMADD231PD 1408(R8), Z10, Z1 // t = ehi*128/ln2 + magic
	VSUBPD 320(R8), Z1, Z2 // kd
	VPSUBQ 320(R8), Z1, Z1 // ki
	VMOVAPD Z10, Z3
	VFNMADD231PD 1472(R8), Z2, Z3
	VFNMADD231PD 1536(R8), Z2, Z3
	VADDPD Z11, Z3, Z3 // r
	VMULPD Z3, Z3, Z4 // r2
	VMOVUPD 1664(R8), Z5
	VFMADD213PD 1600(R8), Z3, Z5 // pa
	VMOVUPD 1856(R8), Z6
	VFMADD213PD 1792(R8), Z3, Z6
	VFMADD213PD 1728(R8), Z3, Z6 // pb
	VMULPD Z4, Z4, Z7 // r2*r2
	VMULPD Z5, Z4, Z5 // r2*pa
	VFMADD231PD Z6, Z7, Z5 // p
	VPANDQ 192(R8), Z1, Z2 // j
	KXNORW K3, K3, K3
	VGATHERQPD 3072(R9)(Z2*8), K3, Z8 // tail
	KXNORW K3, K3, K3
	VGATHERQPD 4096(R9)(Z2*8), K3, Z12 // sbits
	VADDPD Z3, Z8, Z8
	VADDPD Z5, Z8, Z8 // tmp = (tail + r) + p
	VPSLLQ $45, Z1, Z1
	VPADDQ Z1, Z12, Z12 // scale
	VFMADD213PD Z12, Z12, Z8 // scale*tmp + scale
	VMOVUPD Z8, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	INCQ AX
	JMP powAVX512loop
powAVX512done:
	SHLQ $3, AX
	MOVQ AX, ret+48(FP)
	VZEROUPPER
	RET
