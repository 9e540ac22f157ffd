// Copies: an n-d strided gather into a contiguous destination (slicing,
// broadcasting, transposition as strides) and a tiled 2-d transpose.
// Kernels exist per element size (b1, b4, b8): a copy does not care what
// the bytes mean. Self-contained (no headers) so that NVRTC compiles it too.

typedef long long i64;

#define LOOP(n) for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// copy_strided: dst[i] = src[off + sum(c[a] * stride[a])] where c is the
// C-order coordinate of i in shape; geom = {off, shape[0..nd), stride[0..nd)}
// (strides in elements, may be 0 or negative); n = prod(shape).
#define COPY_STRIDED(B, T) \
	extern "C" __global__ void copy_strided_##B(T* dst, const T* src, const i64* geom, i64 nd, i64 n) { \
		LOOP(n) { \
			i64 rest = i, o = geom[0]; \
			for (i64 a = nd - 1; a >= 0; a--) { \
				i64 s = geom[1 + a]; \
				i64 c = rest % s; \
				rest /= s; \
				o += c * geom[1 + nd + a]; \
			} \
			dst[i] = src[o]; \
		} \
	}
COPY_STRIDED(b1, unsigned char)
COPY_STRIDED(b4, unsigned int)
COPY_STRIDED(b8, unsigned long long)

// transpose2d: dst (cols x rows) = src (rows x cols)^T, through 32x32
// shared-memory tiles; launch with blocks of 32x8 threads and a grid of
// (ceil(cols/32), ceil(rows/32)).
#define TILE 32
#define TRANSPOSE(B, T) \
	extern "C" __global__ void transpose2d_##B(T* dst, const T* src, i64 rows, i64 cols) { \
		__shared__ T tile[TILE][TILE + 1]; \
		i64 x = blockIdx.x * (i64)TILE + threadIdx.x; \
		i64 y0 = blockIdx.y * (i64)TILE; \
		for (int j = threadIdx.y; j < TILE; j += blockDim.y) \
			if (x < cols && y0 + j < rows) tile[j][threadIdx.x] = src[(y0 + j) * cols + x]; \
		__syncthreads(); \
		i64 tx = blockIdx.y * (i64)TILE + threadIdx.x; \
		i64 ty0 = blockIdx.x * (i64)TILE; \
		for (int j = threadIdx.y; j < TILE; j += blockDim.y) \
			if (tx < rows && ty0 + j < cols) dst[(ty0 + j) * rows + tx] = tile[threadIdx.x][j]; \
	}
TRANSPOSE(b1, unsigned char)
TRANSPOSE(b4, unsigned int)
TRANSPOSE(b8, unsigned long long)
