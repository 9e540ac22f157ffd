// Vector float64 max and min of two slices with NaN propagating as the
// scalar OpMax/OpMin of binaryFloat do it (see elem_amd64.go): a NaN in a
// wins, else a NaN in b, else b when strictly greater (smaller), else a,
// so ties (±0 included) keep a. VMAXPD/VMINPD give "b > a ? b : a" with a
// as the second source, and two blends put the NaNs back in order.

// maxRedF64AVX2 and minRedF64AVX2 fold nblk >= 1 blocks of 16 into 16
// lane extremes (out) and report whether any lane held a NaN; the caller
// takes the scalar path then, and where the extreme is a zero (whose sign
// depends on which of equal values came first).

#include "textflag.h"

// func maxF64AVX2(d, a, b *float64, nblk int)
TEXT ·maxF64AVX2(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ nblk+24(FP), CX
	TESTQ CX, CX
	JLE maxF64AVX2done
maxF64AVX2loop:
	VMOVUPD 0(SI), Y0
	VMOVUPD 0(DX), Y4
	VMAXPD Y0, Y4, Y8
	VCMPPD $3, Y4, Y4, Y12
	VBLENDVPD Y12, Y4, Y8, Y8
	VCMPPD $3, Y0, Y0, Y12
	VBLENDVPD Y12, Y0, Y8, Y8
	VMOVUPD Y8, 0(DI)
	VMOVUPD 32(SI), Y1
	VMOVUPD 32(DX), Y5
	VMAXPD Y1, Y5, Y9
	VCMPPD $3, Y5, Y5, Y12
	VBLENDVPD Y12, Y5, Y9, Y9
	VCMPPD $3, Y1, Y1, Y12
	VBLENDVPD Y12, Y1, Y9, Y9
	VMOVUPD Y9, 32(DI)
	VMOVUPD 64(SI), Y2
	VMOVUPD 64(DX), Y6
	VMAXPD Y2, Y6, Y10
	VCMPPD $3, Y6, Y6, Y12
	VBLENDVPD Y12, Y6, Y10, Y10
	VCMPPD $3, Y2, Y2, Y12
	VBLENDVPD Y12, Y2, Y10, Y10
	VMOVUPD Y10, 64(DI)
	VMOVUPD 96(SI), Y3
	VMOVUPD 96(DX), Y7
	VMAXPD Y3, Y7, Y11
	VCMPPD $3, Y7, Y7, Y12
	VBLENDVPD Y12, Y7, Y11, Y11
	VCMPPD $3, Y3, Y3, Y12
	VBLENDVPD Y12, Y3, Y11, Y11
	VMOVUPD Y11, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ maxF64AVX2loop
maxF64AVX2done:
	VZEROUPPER
	RET

// func minF64AVX2(d, a, b *float64, nblk int)
TEXT ·minF64AVX2(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ nblk+24(FP), CX
	TESTQ CX, CX
	JLE minF64AVX2done
minF64AVX2loop:
	VMOVUPD 0(SI), Y0
	VMOVUPD 0(DX), Y4
	VMINPD Y0, Y4, Y8
	VCMPPD $3, Y4, Y4, Y12
	VBLENDVPD Y12, Y4, Y8, Y8
	VCMPPD $3, Y0, Y0, Y12
	VBLENDVPD Y12, Y0, Y8, Y8
	VMOVUPD Y8, 0(DI)
	VMOVUPD 32(SI), Y1
	VMOVUPD 32(DX), Y5
	VMINPD Y1, Y5, Y9
	VCMPPD $3, Y5, Y5, Y12
	VBLENDVPD Y12, Y5, Y9, Y9
	VCMPPD $3, Y1, Y1, Y12
	VBLENDVPD Y12, Y1, Y9, Y9
	VMOVUPD Y9, 32(DI)
	VMOVUPD 64(SI), Y2
	VMOVUPD 64(DX), Y6
	VMINPD Y2, Y6, Y10
	VCMPPD $3, Y6, Y6, Y12
	VBLENDVPD Y12, Y6, Y10, Y10
	VCMPPD $3, Y2, Y2, Y12
	VBLENDVPD Y12, Y2, Y10, Y10
	VMOVUPD Y10, 64(DI)
	VMOVUPD 96(SI), Y3
	VMOVUPD 96(DX), Y7
	VMINPD Y3, Y7, Y11
	VCMPPD $3, Y7, Y7, Y12
	VBLENDVPD Y12, Y7, Y11, Y11
	VCMPPD $3, Y3, Y3, Y12
	VBLENDVPD Y12, Y3, Y11, Y11
	VMOVUPD Y11, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ minF64AVX2loop
minF64AVX2done:
	VZEROUPPER
	RET

// func maxRedF64AVX2(x *float64, nblk int, out *[16]float64) (nan int)
TEXT ·maxRedF64AVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ nblk+8(FP), CX
	MOVQ out+16(FP), DI
	VMOVUPD 0(SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VCMPPD $3, Y0, Y0, Y4
	VCMPPD $3, Y1, Y1, Y5
	VCMPPD $3, Y2, Y2, Y6
	VCMPPD $3, Y3, Y3, Y7
	ADDQ $128, SI
	DECQ CX
	JLE maxRedF64AVX2end
maxRedF64AVX2loop:
	VMOVUPD 0(SI), Y8
	VMOVUPD 32(SI), Y9
	VMOVUPD 64(SI), Y10
	VMOVUPD 96(SI), Y11
	VCMPPD $3, Y8, Y8, Y12
	VORPD Y12, Y4, Y4
	VCMPPD $3, Y9, Y9, Y13
	VORPD Y13, Y5, Y5
	VCMPPD $3, Y10, Y10, Y12
	VORPD Y12, Y6, Y6
	VCMPPD $3, Y11, Y11, Y13
	VORPD Y13, Y7, Y7
	VMAXPD Y8, Y0, Y0
	VMAXPD Y9, Y1, Y1
	VMAXPD Y10, Y2, Y2
	VMAXPD Y11, Y3, Y3
	ADDQ $128, SI
	DECQ CX
	JNZ maxRedF64AVX2loop
maxRedF64AVX2end:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VORPD Y5, Y4, Y4
	VORPD Y7, Y6, Y6
	VORPD Y6, Y4, Y4
	XORQ AX, AX
	VPTEST Y4, Y4
	SETNE AL
	MOVQ AX, nan+24(FP)
	VZEROUPPER
	RET

// func minRedF64AVX2(x *float64, nblk int, out *[16]float64) (nan int)
TEXT ·minRedF64AVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ nblk+8(FP), CX
	MOVQ out+16(FP), DI
	VMOVUPD 0(SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VCMPPD $3, Y0, Y0, Y4
	VCMPPD $3, Y1, Y1, Y5
	VCMPPD $3, Y2, Y2, Y6
	VCMPPD $3, Y3, Y3, Y7
	ADDQ $128, SI
	DECQ CX
	JLE minRedF64AVX2end
minRedF64AVX2loop:
	VMOVUPD 0(SI), Y8
	VMOVUPD 32(SI), Y9
	VMOVUPD 64(SI), Y10
	VMOVUPD 96(SI), Y11
	VCMPPD $3, Y8, Y8, Y12
	VORPD Y12, Y4, Y4
	VCMPPD $3, Y9, Y9, Y13
	VORPD Y13, Y5, Y5
	VCMPPD $3, Y10, Y10, Y12
	VORPD Y12, Y6, Y6
	VCMPPD $3, Y11, Y11, Y13
	VORPD Y13, Y7, Y7
	VMINPD Y8, Y0, Y0
	VMINPD Y9, Y1, Y1
	VMINPD Y10, Y2, Y2
	VMINPD Y11, Y3, Y3
	ADDQ $128, SI
	DECQ CX
	JNZ minRedF64AVX2loop
minRedF64AVX2end:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VORPD Y5, Y4, Y4
	VORPD Y7, Y6, Y6
	VORPD Y6, Y4, Y4
	XORQ AX, AX
	VPTEST Y4, Y4
	SETNE AL
	MOVQ AX, nan+24(FP)
	VZEROUPPER
	RET

// func momentsRowAVX2(v, mu, q, c *float64, nblk int, c0, n, r float64) (done int)
//
// Welford's update of nblk blocks of 4 columns seen c0 times each:
// d = v - mu; mu += d*r; q += d*(v - mu); c = n, the scalar code's
// operations in its order (no FMA), so the same bits. It stops before the
// first block holding a column whose count is not c0 and returns the
// number of blocks done.
TEXT ·momentsRowAVX2(SB), NOSPLIT, $0-72
	MOVQ v+0(FP), SI
	MOVQ mu+8(FP), DI
	MOVQ q+16(FP), DX
	MOVQ c+24(FP), BX
	MOVQ nblk+32(FP), CX
	VBROADCASTSD c0+40(FP), Y13
	VBROADCASTSD n+48(FP), Y14
	VBROADCASTSD r+56(FP), Y15
	XORQ AX, AX
	TESTQ CX, CX
	JLE momentsRowdone
momentsRowloop:
	VMOVUPD (BX), Y4
	VCMPPD $4, Y13, Y4, Y5
	VPTEST Y5, Y5
	JNZ momentsRowdone
	VMOVUPD (SI), Y0
	VMOVUPD (DI), Y1
	VSUBPD Y1, Y0, Y2
	VMULPD Y15, Y2, Y3
	VADDPD Y3, Y1, Y1
	VMOVUPD Y1, (DI)
	VSUBPD Y1, Y0, Y3
	VMULPD Y3, Y2, Y3
	VADDPD (DX), Y3, Y3
	VMOVUPD Y3, (DX)
	VMOVUPD Y14, (BX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, BX
	INCQ AX
	CMPQ AX, CX
	JLT momentsRowloop
momentsRowdone:
	MOVQ AX, done+64(FP)
	VZEROUPPER
	RET

// func momentsRowAVX512(v, mu, q, c *float64, nblk int, c0, n, r float64) (done int)
//
// momentsRowAVX2 on blocks of 8 columns: the same operations in the same
// order, so the same bits.
TEXT ·momentsRowAVX512(SB), NOSPLIT, $0-72
	MOVQ v+0(FP), SI
	MOVQ mu+8(FP), DI
	MOVQ q+16(FP), DX
	MOVQ c+24(FP), BX
	MOVQ nblk+32(FP), CX
	VBROADCASTSD c0+40(FP), Z13
	VBROADCASTSD n+48(FP), Z14
	VBROADCASTSD r+56(FP), Z15
	XORQ AX, AX
	TESTQ CX, CX
	JLE moments512done
moments512loop:
	VCMPPD $4, (BX), Z13, K1
	KORTESTW K1, K1
	JNZ moments512done
	VMOVUPD (SI), Z0
	VMOVUPD (DI), Z1
	VSUBPD Z1, Z0, Z2
	VMULPD Z15, Z2, Z3
	VADDPD Z3, Z1, Z1
	VMOVUPD Z1, (DI)
	VSUBPD Z1, Z0, Z3
	VMULPD Z3, Z2, Z3
	VADDPD (DX), Z3, Z3
	VMOVUPD Z3, (DX)
	VMOVUPD Z14, (BX)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	ADDQ $64, BX
	INCQ AX
	CMPQ AX, CX
	JLT moments512loop
moments512done:
	MOVQ AX, done+64(FP)
	VZEROUPPER
	RET

// func momentsRowsAVX512(rows **float64, nrows int, mu, q, c *float64, nblk int, c0 float64, rs *float64, nlast float64) (done int)
//
// Welford's update of nblk blocks of 8 columns seen c0 times each by
// nrows rows in turn (rows[k] is row k's first column), each block's
// running mean and M2 held in registers across the rows: row k takes
// d = v - mu; mu += d*rs[k]; q += d*(v - mu), the operations of
// momentsRowAVX512 in its order, so the same bits as nrows calls of it;
// c = nlast at the end. It stops before the first block holding a column
// whose count is not c0 and returns the number of blocks done.
TEXT ·momentsRowsAVX512(SB), NOSPLIT, $0-80
	MOVQ rows+0(FP), R8
	MOVQ nrows+8(FP), R13
	MOVQ mu+16(FP), DI
	MOVQ q+24(FP), DX
	MOVQ c+32(FP), BX
	MOVQ nblk+40(FP), CX
	VBROADCASTSD c0+48(FP), Z13
	MOVQ rs+56(FP), R11
	VBROADCASTSD nlast+64(FP), Z14
	XORQ AX, AX
	XORQ R12, R12
	TESTQ CX, CX
	JLE momentsRowsdone
momentsRowsloop:
	VCMPPD $4, (BX)(R12*1), Z13, K1
	KORTESTW K1, K1
	JNZ momentsRowsdone
	VMOVUPD (DI)(R12*1), Z1
	VMOVUPD (DX)(R12*1), Z4
	XORQ R9, R9
momentsRowsrow:
	MOVQ (R8)(R9*8), R10
	VMOVUPD (R10)(R12*1), Z0
	VBROADCASTSD (R11)(R9*8), Z15
	VSUBPD Z1, Z0, Z2
	VMULPD Z15, Z2, Z3
	VADDPD Z3, Z1, Z1
	VSUBPD Z1, Z0, Z3
	VMULPD Z3, Z2, Z3
	VADDPD Z4, Z3, Z4
	INCQ R9
	CMPQ R9, R13
	JLT momentsRowsrow
	VMOVUPD Z1, (DI)(R12*1)
	VMOVUPD Z4, (DX)(R12*1)
	VMOVUPD Z14, (BX)(R12*1)
	ADDQ $64, R12
	INCQ AX
	CMPQ AX, CX
	JLT momentsRowsloop
momentsRowsdone:
	MOVQ AX, done+72(FP)
	VZEROUPPER
	RET

// Column folds of nrows rows at once (see foldRowsVec): each block of 8
// accumulators stays in a register across the rows, which it takes in
// order, so the bits are those of folding row by row.
#define FOLDROWS(NAME, STEP) \
TEXT NAME(SB), NOSPLIT, $0-32; \
	MOVQ rows+0(FP), R8; \
	MOVQ nrows+8(FP), R13; \
	MOVQ acc+16(FP), DI; \
	MOVQ nblk+24(FP), CX; \
	XORQ R12, R12; \
	TESTQ CX, CX; \
	JLE done; \
loop: \
	VMOVUPD (DI)(R12*1), Z1; \
	XORQ R9, R9; \
row: \
	MOVQ (R8)(R9*8), R10; \
	VMOVUPD (R10)(R12*1), Z0; \
	STEP; \
	INCQ R9; \
	CMPQ R9, R13; \
	JLT row; \
	VMOVUPD Z1, (DI)(R12*1); \
	ADDQ $64, R12; \
	DECQ CX; \
	JNZ loop; \
done: \
	VZEROUPPER; \
	RET

// acc + v
#define ADDSTEP VADDPD Z0, Z1, Z1

// OpMax of acc (a) and v (b), as maxF64AVX2: b > a ? b : a, then a NaN
// in b, then a NaN in a
#define MAXSTEP \
	VMAXPD Z1, Z0, Z2; \
	VCMPPD $3, Z0, Z0, K1; \
	VMOVAPD Z0, K1, Z2; \
	VCMPPD $3, Z1, Z1, K2; \
	VMOVAPD Z1, K2, Z2; \
	VMOVAPD Z2, Z1

#define MINSTEP \
	VMINPD Z1, Z0, Z2; \
	VCMPPD $3, Z0, Z0, K1; \
	VMOVAPD Z0, K1, Z2; \
	VCMPPD $3, Z1, Z1, K2; \
	VMOVAPD Z1, K2, Z2; \
	VMOVAPD Z2, Z1

// func foldRowsAddAVX512(rows **float64, nrows int, acc *float64, nblk int)
FOLDROWS(·foldRowsAddAVX512, ADDSTEP)

// func foldRowsMaxAVX512(rows **float64, nrows int, acc *float64, nblk int)
FOLDROWS(·foldRowsMaxAVX512, MAXSTEP)

// func foldRowsMinAVX512(rows **float64, nrows int, acc *float64, nblk int)
FOLDROWS(·foldRowsMinAVX512, MINSTEP)
