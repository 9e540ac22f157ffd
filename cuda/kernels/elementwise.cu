// Fixed elementwise kernels: binary and unary ops, fill and casts over
// contiguous buffers, one element per thread in a grid-stride loop.
// Self-contained (no headers) so that NVRTC compiles it too.
// Parameters are pointers and 64-bit scalars only. Semantics follow
// kernels/cpu (elem.go): min/max propagate NaN, integer division is floor
// division with x / 0 == 0, float -> int casts truncate and give the
// minimum for NaN and out-of-range values.

typedef long long i64;
typedef int i32;
typedef float f32;
typedef double f64;

#define LOOP(n) for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

template <typename T> __device__ __forceinline__ T op_add(T a, T b) { return a + b; }
template <typename T> __device__ __forceinline__ T op_sub(T a, T b) { return a - b; }
template <typename T> __device__ __forceinline__ T op_mul(T a, T b) { return a * b; }
template <typename T> __device__ __forceinline__ T op_div(T a, T b) { return a / b; }
template <> __device__ __forceinline__ i32 op_div(i32 a, i32 b) {
	if (b == 0) return 0;
	if (b == -1) return (i32)(0u - (unsigned)a);
	i32 q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
template <> __device__ __forceinline__ i64 op_div(i64 a, i64 b) {
	if (b == 0) return 0;
	if (b == -1) return (i64)(0ull - (unsigned long long)a);
	i64 q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
template <typename T> __device__ __forceinline__ T op_max(T a, T b) { return a != a ? a : ((b != b || b > a) ? b : a); }
template <typename T> __device__ __forceinline__ T op_min(T a, T b) { return a != a ? a : ((b != b || b < a) ? b : a); }

#define BINARY(op, T) \
	extern "C" __global__ void op##_##T(T* dst, const T* a, const T* b, i64 n) { LOOP(n) dst[i] = op_##op<T>(a[i], b[i]); }
#define BINARY_ALL(op) BINARY(op, f32) BINARY(op, f64) BINARY(op, i32) BINARY(op, i64)
BINARY_ALL(add)
BINARY_ALL(sub)
BINARY_ALL(mul)
BINARY_ALL(div)
BINARY_ALL(max)
BINARY_ALL(min)

// scalar forms: dst = a op s, s passed as 64-bit bits (float64 bits for
// floats, int64 for integers)
__device__ __forceinline__ f32 scalar_f32(unsigned long long s) { return (f32)__longlong_as_double((i64)s); }
__device__ __forceinline__ f64 scalar_f64(unsigned long long s) { return __longlong_as_double((i64)s); }
__device__ __forceinline__ i32 scalar_i32(unsigned long long s) { return (i32)(i64)s; }
__device__ __forceinline__ i64 scalar_i64(unsigned long long s) { return (i64)s; }
#define BINARY_SCALAR(op, T) \
	extern "C" __global__ void op##_scalar_##T(T* dst, const T* a, unsigned long long s, i64 n) { \
		T b = scalar_##T(s); LOOP(n) dst[i] = op_##op<T>(a[i], b); }
#define BINARY_SCALAR_ALL(op) BINARY_SCALAR(op, f32) BINARY_SCALAR(op, f64) BINARY_SCALAR(op, i32) BINARY_SCALAR(op, i64)
BINARY_SCALAR_ALL(add)
BINARY_SCALAR_ALL(mul)

#define UNARY(name, T, expr) \
	extern "C" __global__ void name##_##T(T* dst, const T* a, i64 n) { LOOP(n) { T x = a[i]; dst[i] = (expr); } }
UNARY(neg, f32, -x) UNARY(neg, f64, -x)
UNARY(neg, i32, (i32)(0u - (unsigned)x)) UNARY(neg, i64, (i64)(0ull - (unsigned long long)x))
UNARY(abs, f32, fabsf(x)) UNARY(abs, f64, fabs(x))
UNARY(abs, i32, x < 0 ? (i32)(0u - (unsigned)x) : x) UNARY(abs, i64, x < 0 ? (i64)(0ull - (unsigned long long)x) : x)
UNARY(sqrt, f32, sqrtf(x)) UNARY(sqrt, f64, sqrt(x))
UNARY(exp, f32, expf(x)) UNARY(exp, f64, exp(x))
UNARY(log, f32, logf(x)) UNARY(log, f64, log(x))

#define FILL(T) \
	extern "C" __global__ void fill_##T(T* dst, unsigned long long v, i64 n) { T x = scalar_##T(v); LOOP(n) dst[i] = x; }
FILL(f32) FILL(f64) FILL(i32) FILL(i64)

// casts: C-like, with NumPy-on-x86 results for NaN and out-of-range
// floats (the minimum integer)
template <typename D, typename S> __device__ __forceinline__ D cast(S x) { return (D)x; }
template <> __device__ __forceinline__ i64 cast(f64 x) {
	return (x != x || x >= 9.223372036854775807e18 || x < -9.223372036854775808e18) ? (i64)(-9223372036854775807ll - 1) : (i64)x;
}
template <> __device__ __forceinline__ i64 cast(f32 x) { return cast<i64, f64>((f64)x); }
template <> __device__ __forceinline__ i32 cast(f64 x) {
	return (x != x || x >= 2147483648.0 || x <= -2147483649.0) ? (i32)(-2147483647 - 1) : (i32)x;
}
template <> __device__ __forceinline__ i32 cast(f32 x) { return cast<i32, f64>((f64)x); }
template <> __device__ __forceinline__ i32 cast(i64 x) { return (i32)(unsigned)(unsigned long long)x; }

#define CAST(S, D) \
	extern "C" __global__ void cast_##S##_##D(D* dst, const S* a, i64 n) { LOOP(n) dst[i] = cast<D, S>(a[i]); }
#define CAST_FROM(S) CAST(S, f32) CAST(S, f64) CAST(S, i32) CAST(S, i64) \
	extern "C" __global__ void cast_##S##_bool(unsigned char* dst, const S* a, i64 n) { LOOP(n) dst[i] = a[i] != 0; }
CAST_FROM(f32) CAST_FROM(f64) CAST_FROM(i32) CAST_FROM(i64)
