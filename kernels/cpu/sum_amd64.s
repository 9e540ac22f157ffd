// Sums of float64 rows with sixteen accumulators (reduce.go's sumF64 and
// sumSqDevF64): lane k of the four YMM accumulators takes the element at
// k mod 16 of each block of 16, one rounded addition at a time (no FMA),
// so the lanes hold exactly what the scalar loops' s[k] hold.

#include "textflag.h"

// func sum16AVX2(x *float64, nblk int, out *[16]float64)
TEXT ·sum16AVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ nblk+8(FP), CX
	MOVQ out+16(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	TESTQ CX, CX
	JLE sum16done
sum16loop:
	VADDPD 0(SI), Y0, Y0
	VADDPD 32(SI), Y1, Y1
	VADDPD 64(SI), Y2, Y2
	VADDPD 96(SI), Y3, Y3
	ADDQ $128, SI
	DECQ CX
	JNZ sum16loop
sum16done:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET

// func sumSqDev16AVX2(x *float64, nblk int, m float64, out *[16]float64)
TEXT ·sumSqDev16AVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ nblk+8(FP), CX
	VBROADCASTSD m+16(FP), Y15
	MOVQ out+24(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	TESTQ CX, CX
	JLE sqdone
sqloop:
	VMOVUPD 0(SI), Y4
	VMOVUPD 32(SI), Y5
	VMOVUPD 64(SI), Y6
	VMOVUPD 96(SI), Y7
	VSUBPD Y15, Y4, Y4
	VSUBPD Y15, Y5, Y5
	VSUBPD Y15, Y6, Y6
	VSUBPD Y15, Y7, Y7
	VMULPD Y4, Y4, Y4
	VMULPD Y5, Y5, Y5
	VMULPD Y6, Y6, Y6
	VMULPD Y7, Y7, Y7
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VADDPD Y6, Y2, Y2
	VADDPD Y7, Y3, Y3
	ADDQ $128, SI
	DECQ CX
	JNZ sqloop
sqdone:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET

// func prefetch4K(p *byte)
TEXT ·prefetch4K(SB), NOSPLIT, $0-8
	MOVQ p+0(FP), SI
	MOVQ $64, CX
pfloop:
	PREFETCHT0 (SI)
	ADDQ $64, SI
	DECQ CX
	JNZ pfloop
	RET
