// Vector float64 max and min of two slices with NaN propagating as the
// scalar OpMax/OpMin of binaryFloat do it (see elem_amd64.go): a NaN in a
// wins, else a NaN in b, else b when strictly greater (smaller), else a,
// so ties (±0 included) keep a. VMAXPD/VMINPD give "b > a ? b : a" with a
// as the second source, and two blends put the NaNs back in order.

// maxRedF64AVX2 and minRedF64AVX2 (and their AVX-512 versions) fold
// nblk >= 1 blocks of 16 into one extreme (*out) and report whether any
// value was a NaN; the caller takes the scalar path then, and where the
// extreme is a zero (whose sign depends on which of equal values came
// first).

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

// func maxRedF64AVX2(x *float64, nblk int, out *float64) (nan int)
//
// The max of the 16*nblk elements of x into *out; nan is 1 if any is a
// NaN (*out is then meaningless).
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
	// the 16 lanes to one in out[0] (in any order: the caller uses it
	// only without NaNs and unless it is a zero)
	VMAXPD Y1, Y0, Y0
	VMAXPD Y3, Y2, Y2
	VMAXPD Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VMAXPD X1, X0, X0
	VMOVSD X0, 0(DI)
	VORPD Y5, Y4, Y4
	VORPD Y7, Y6, Y6
	VORPD Y6, Y4, Y4
	XORQ AX, AX
	VPTEST Y4, Y4
	SETNE AL
	MOVQ AX, nan+24(FP)
	VZEROUPPER
	RET

// func minRedF64AVX2(x *float64, nblk int, out *float64) (nan int)
//
// The min, as maxRedF64AVX2.
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
	// the 16 lanes to one in out[0] (in any order: the caller uses it
	// only without NaNs and unless it is a zero)
	VMINPD Y1, Y0, Y0
	VMINPD Y3, Y2, Y2
	VMINPD Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMINPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VMINPD X1, X0, X0
	VMOVSD X0, 0(DI)
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

// One row's Welford update of a block of 8 columns: V holds the row's
// values, MU and Q the running mean and M2, D and T are scratch, Z15 the
// row's 1/count: d = v - mu; mu += d*r; q += d*(v - mu)
#define MSTEP(V, MU, D, T, Q) \
	VSUBPD MU, V, D; \
	VMULPD Z15, D, T; \
	VADDPD T, MU, MU; \
	VSUBPD MU, V, T; \
	VMULPD T, D, T; \
	VADDPD Q, T, Q

// func momentsRowsAVX512(rows **float64, nrows int, mu, q, c *float64, nblk int, c0 float64, rs *float64, nlast float64) (done int)
//
// Welford's update of nblk blocks of 8 columns seen c0 times each by
// nrows rows in turn (rows[k] is row k's first column), each block's
// running mean and M2 held in registers across the rows: row k takes
// d = v - mu; mu += d*rs[k]; q += d*(v - mu), the operations of
// momentsRowAVX512 in its order, so the same bits as nrows calls of it;
// c = nlast at the end. It stops before the first block holding a column
// whose count is not c0 and returns the number of blocks done. Four
// blocks go side by side while they can: each row's update is a chain of
// six dependent operations, and four independent chains fill the
// pipeline that one leaves idle.
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
momentsRows4:
	MOVQ CX, R14
	SUBQ AX, R14
	CMPQ R14, $4
	JLT momentsRowsloop
	VCMPPD $4, (BX)(R12*1), Z13, K1
	VCMPPD $4, 64(BX)(R12*1), Z13, K2
	VCMPPD $4, 128(BX)(R12*1), Z13, K3
	VCMPPD $4, 192(BX)(R12*1), Z13, K4
	KORW K2, K1, K1
	KORW K4, K3, K3
	KORTESTW K3, K1
	JNZ momentsRowsloop
	VMOVUPD (DI)(R12*1), Z1
	VMOVUPD 64(DI)(R12*1), Z6
	VMOVUPD 128(DI)(R12*1), Z11
	VMOVUPD 192(DI)(R12*1), Z19
	VMOVUPD (DX)(R12*1), Z4
	VMOVUPD 64(DX)(R12*1), Z9
	VMOVUPD 128(DX)(R12*1), Z17
	VMOVUPD 192(DX)(R12*1), Z22
	XORQ R9, R9
momentsRows4row:
	MOVQ (R8)(R9*8), R10
	VBROADCASTSD (R11)(R9*8), Z15
	VMOVUPD (R10)(R12*1), Z0
	VMOVUPD 64(R10)(R12*1), Z5
	VMOVUPD 128(R10)(R12*1), Z10
	VMOVUPD 192(R10)(R12*1), Z18
	MSTEP(Z0, Z1, Z2, Z3, Z4)
	MSTEP(Z5, Z6, Z7, Z8, Z9)
	MSTEP(Z10, Z11, Z12, Z16, Z17)
	MSTEP(Z18, Z19, Z20, Z21, Z22)
	INCQ R9
	CMPQ R9, R13
	JLT momentsRows4row
	VMOVUPD Z1, (DI)(R12*1)
	VMOVUPD Z6, 64(DI)(R12*1)
	VMOVUPD Z11, 128(DI)(R12*1)
	VMOVUPD Z19, 192(DI)(R12*1)
	VMOVUPD Z4, (DX)(R12*1)
	VMOVUPD Z9, 64(DX)(R12*1)
	VMOVUPD Z17, 128(DX)(R12*1)
	VMOVUPD Z22, 192(DX)(R12*1)
	VMOVUPD Z14, (BX)(R12*1)
	VMOVUPD Z14, 64(BX)(R12*1)
	VMOVUPD Z14, 128(BX)(R12*1)
	VMOVUPD Z14, 192(BX)(R12*1)
	ADDQ $256, R12
	ADDQ $4, AX
	JMP momentsRows4
momentsRowsloop:
	CMPQ AX, CX
	JGE momentsRowsdone
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
	MSTEP(Z0, Z1, Z2, Z3, Z4)
	INCQ R9
	CMPQ R9, R13
	JLT momentsRowsrow
	VMOVUPD Z1, (DI)(R12*1)
	VMOVUPD Z4, (DX)(R12*1)
	VMOVUPD Z14, (BX)(R12*1)
	ADDQ $64, R12
	INCQ AX
	JMP momentsRowsloop
momentsRowsdone:
	MOVQ AX, done+72(FP)
	VZEROUPPER
	RET

// Column folds of nrows rows at once (see foldRowsVec): each block of 8
// accumulators stays in a register across the rows, which it takes in
// order, so the bits are those of folding row by row. Four blocks go
// side by side while they can (four independent dependency chains), then
// one at a time. Registers: R8 the row pointers, R13 nrows, DI acc, CX
// the blocks left, R12 the byte offset of the current block.

#define FOLDHEAD(NAME) \
TEXT NAME(SB), NOSPLIT, $0-32; \
	MOVQ rows+0(FP), R8; \
	MOVQ nrows+8(FP), R13; \
	MOVQ acc+16(FP), DI; \
	MOVQ nblk+24(FP), CX; \
	XORQ R12, R12

// The accumulators of four blocks in Z1, Z4, Z7, Z10, and their values
// of row R9 in Z0, Z3, Z6, Z9.
#define LOAD4ACC \
	VMOVUPD (DI)(R12*1), Z1; \
	VMOVUPD 64(DI)(R12*1), Z4; \
	VMOVUPD 128(DI)(R12*1), Z7; \
	VMOVUPD 192(DI)(R12*1), Z10
#define LOAD4ROW \
	MOVQ (R8)(R9*8), R10; \
	VMOVUPD (R10)(R12*1), Z0; \
	VMOVUPD 64(R10)(R12*1), Z3; \
	VMOVUPD 128(R10)(R12*1), Z6; \
	VMOVUPD 192(R10)(R12*1), Z9

// The four accumulators stored, and on to the next four blocks.
#define STORE4NEXT \
	VMOVUPD Z1, (DI)(R12*1); \
	VMOVUPD Z4, 64(DI)(R12*1); \
	VMOVUPD Z7, 128(DI)(R12*1); \
	VMOVUPD Z10, 192(DI)(R12*1); \
	ADDQ $256, R12; \
	SUBQ $4, CX

// Four blocks through every row with STEP, from their accumulators in
// memory back to them (ROW: a label of its own).
#define FOLD4(STEP, ROW) \
	LOAD4ACC; \
	XORQ R9, R9; \
ROW: \
	LOAD4ROW; \
	STEP(Z0, Z1, Z2); \
	STEP(Z3, Z4, Z5); \
	STEP(Z6, Z7, Z8); \
	STEP(Z9, Z10, Z11); \
	INCQ R9; \
	CMPQ R9, R13; \
	JLT ROW; \
	STORE4NEXT

// The blocks left, one at a time, and the return.
#define FOLD1TAIL(STEP) \
loop1: \
	TESTQ CX, CX; \
	JLE done; \
	VMOVUPD (DI)(R12*1), Z1; \
	XORQ R9, R9; \
row: \
	MOVQ (R8)(R9*8), R10; \
	VMOVUPD (R10)(R12*1), Z0; \
	STEP(Z0, Z1, Z2); \
	INCQ R9; \
	CMPQ R9, R13; \
	JLT row; \
	VMOVUPD Z1, (DI)(R12*1); \
	ADDQ $64, R12; \
	DECQ CX; \
	JMP loop1; \
done: \
	VZEROUPPER; \
	RET

#define FOLDROWS(NAME, STEP) \
	FOLDHEAD(NAME); \
loop4: \
	CMPQ CX, $4; \
	JLT loop1; \
	FOLD4(STEP, row4); \
	JMP loop4; \
	FOLD1TAIL(STEP)

// acc A + v V
#define ADDSTEP(V, A, T) VADDPD V, A, A

// OpMax of acc (A) and v (V), as maxF64AVX2: v > acc ? v : acc, then a
// NaN in v, then a NaN in acc
#define MAXSTEP(V, A, T) \
	VMAXPD A, V, T; \
	VCMPPD $3, V, V, K1; \
	VMOVAPD V, K1, T; \
	VCMPPD $3, A, A, K2; \
	VMOVAPD A, K2, T; \
	VMOVAPD T, A

#define MINSTEP(V, A, T) \
	VMINPD A, V, T; \
	VCMPPD $3, V, V, K1; \
	VMOVAPD V, K1, T; \
	VCMPPD $3, A, A, K2; \
	VMOVAPD A, K2, T; \
	VMOVAPD T, A

// func foldRowsAddAVX512(rows **float64, nrows int, acc *float64, nblk int)
FOLDROWS(·foldRowsAddAVX512, ADDSTEP)

// Column extremes of nrows rows at once, as FOLDROWS, each row in one
// instruction on the fast path: FAST (v > acc ? v : acc, which keeps a
// NaN already in acc) plus a note of any NaN among the values; a group
// where a value is a NaN is redone from its accumulators in memory with
// STEP, which gives a NaN in v its turn, so the bits are those of STEP
// throughout.
#define FOLDEXT(NAME, FAST, STEP) \
	FOLDHEAD(NAME); \
loop4: \
	CMPQ CX, $4; \
	JLT loop1; \
	LOAD4ACC; \
	KXORW K7, K7, K7; \
	XORQ R9, R9; \
row4: \
	LOAD4ROW; \
	FAST Z1, Z0, Z1; \
	FAST Z4, Z3, Z4; \
	FAST Z7, Z6, Z7; \
	FAST Z10, Z9, Z10; \
	VCMPPD $3, Z3, Z0, K1; \
	VCMPPD $3, Z9, Z6, K2; \
	KORW K1, K7, K7; \
	KORW K2, K7, K7; \
	INCQ R9; \
	CMPQ R9, R13; \
	JLT row4; \
	KORTESTW K7, K7; \
	JNZ slow4; \
	STORE4NEXT; \
	JMP loop4; \
slow4: \
	FOLD4(STEP, srow4); \
	JMP loop4; \
	FOLD1TAIL(STEP)

// func foldRowsMaxAVX512(rows **float64, nrows int, acc *float64, nblk int)
FOLDEXT(·foldRowsMaxAVX512, VMAXPD, MAXSTEP)

// func foldRowsMinAVX512(rows **float64, nrows int, acc *float64, nblk int)
FOLDEXT(·foldRowsMinAVX512, VMINPD, MINSTEP)

// func maxRedF64AVX512(x *float64, nblk int, out *float64) (nan int)
// func minRedF64AVX512(x *float64, nblk int, out *float64) (nan int)
//
// maxRedF64AVX2 and minRedF64AVX2 with AVX-512: 16*nblk elements, 32 a
// loop into four accumulators (their order is free: the result is used
// only without NaNs), NaNs noted in K7.
#define EXTRED(NAME, OP) \
TEXT NAME(SB), NOSPLIT, $0-32; \
	MOVQ x+0(FP), SI; \
	MOVQ nblk+8(FP), CX; \
	MOVQ out+16(FP), DI; \
	VMOVUPD 0(SI), Z0; \
	VMOVUPD 64(SI), Z1; \
	VMOVAPD Z0, Z2; \
	VMOVAPD Z1, Z3; \
	VCMPPD $3, Z1, Z0, K7; \
	ADDQ $128, SI; \
	DECQ CX; \
loop2: \
	CMPQ CX, $2; \
	JLT loop1; \
	VMOVUPD 0(SI), Z4; \
	VMOVUPD 64(SI), Z5; \
	VMOVUPD 128(SI), Z6; \
	VMOVUPD 192(SI), Z7; \
	OP Z4, Z0, Z0; \
	OP Z5, Z1, Z1; \
	OP Z6, Z2, Z2; \
	OP Z7, Z3, Z3; \
	VCMPPD $3, Z5, Z4, K1; \
	VCMPPD $3, Z7, Z6, K2; \
	KORW K1, K7, K7; \
	KORW K2, K7, K7; \
	ADDQ $256, SI; \
	SUBQ $2, CX; \
	JMP loop2; \
loop1: \
	TESTQ CX, CX; \
	JLE end; \
	VMOVUPD 0(SI), Z4; \
	VMOVUPD 64(SI), Z5; \
	OP Z4, Z0, Z0; \
	OP Z5, Z1, Z1; \
	VCMPPD $3, Z5, Z4, K1; \
	KORW K1, K7, K7; \
end: \
	OP Z1, Z0, Z0; \
	OP Z3, Z2, Z2; \
	OP Z2, Z0, Z0; \
	VEXTRACTF64X4 $1, Z0, Y1; \
	OP Y1, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	OP X1, X0, X0; \
	VPERMILPD $1, X0, X1; \
	OP X1, X0, X0; \
	VMOVSD X0, 0(DI); \
	XORQ AX, AX; \
	KORTESTW K7, K7; \
	SETNE AL; \
	MOVQ AX, nan+24(FP); \
	VZEROUPPER; \
	RET

EXTRED(·maxRedF64AVX512, VMAXPD)

EXTRED(·minRedF64AVX512, VMINPD)
