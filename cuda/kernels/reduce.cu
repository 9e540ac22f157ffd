// Block reductions over a contiguous buffer: each block reduces its
// grid-stride share through shared memory in a fixed tree and writes one
// partial, out[blockIdx.x]; a second launch of one block over the partials
// gives the result. The tree depends only on the launch shape, never on
// timing (no atomics), so results are deterministic. Launch with 256
// threads a block. Sums of int32 accumulate in int64 (graph.SumDType);
// min and max propagate NaN. Self-contained (no headers) for NVRTC.

typedef long long i64;
typedef int i32;
typedef float f32;
typedef double f64;

#define THREADS 256

template <typename T> struct Sum {
	__device__ static T init() { return 0; }
	__device__ static T op(T a, T b) { return a + b; }
};
template <typename T> struct Max {
	__device__ static T init();
	__device__ static T op(T a, T b) { return a != a ? a : ((b != b || b > a) ? b : a); }
};
template <typename T> struct Min {
	__device__ static T init();
	__device__ static T op(T a, T b) { return a != a ? a : ((b != b || b < a) ? b : a); }
};
template <> __device__ f32 Max<f32>::init() { return __int_as_float(0xff800000); }
template <> __device__ f64 Max<f64>::init() { return __longlong_as_double(0xfff0000000000000ll); }
template <> __device__ i32 Max<i32>::init() { return -2147483647 - 1; }
template <> __device__ i64 Max<i64>::init() { return -9223372036854775807ll - 1; }
template <> __device__ f32 Min<f32>::init() { return __int_as_float(0x7f800000); }
template <> __device__ f64 Min<f64>::init() { return __longlong_as_double(0x7ff0000000000000ll); }
template <> __device__ i32 Min<i32>::init() { return 2147483647; }
template <> __device__ i64 Min<i64>::init() { return 9223372036854775807ll; }

template <typename R, typename A, typename T>
__device__ void block_reduce(A* out, const T* in, i64 n) {
	__shared__ A s[THREADS];
	A acc = R::init();
	for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)blockDim.x * gridDim.x)
		acc = R::op(acc, (A)in[i]);
	s[threadIdx.x] = acc;
	__syncthreads();
	for (int k = blockDim.x / 2; k > 0; k >>= 1) {
		if (threadIdx.x < k) s[threadIdx.x] = R::op(s[threadIdx.x], s[threadIdx.x + k]);
		__syncthreads();
	}
	if (threadIdx.x == 0) out[blockIdx.x] = s[0];
}

#define REDUCE(name, R, A, T) \
	extern "C" __global__ void __launch_bounds__(THREADS) name##_##T(A* out, const T* in, i64 n) { block_reduce<R<A>, A, T>(out, in, n); }
REDUCE(sum, Sum, f32, f32) REDUCE(sum, Sum, f64, f64) REDUCE(sum, Sum, i64, i32) REDUCE(sum, Sum, i64, i64)
REDUCE(min, Min, f32, f32) REDUCE(min, Min, f64, f64) REDUCE(min, Min, i32, i32) REDUCE(min, Min, i64, i64)
REDUCE(max, Max, f32, f32) REDUCE(max, Max, f64, f64) REDUCE(max, Max, i32, i32) REDUCE(max, Max, i64, i64)
