// Lets a rendered fused kernel compile with g++ and run on the host, one
// thread, for the emulation test (emulate_test.go): the CUDA qualifiers
// vanish and the grid is one block of one thread, so the grid-stride loop
// visits every item in order.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
using std::copysign;
using std::isfinite;
using std::isinf;
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
struct bw_dim3 { unsigned x, y, z; };
static const bw_dim3 blockIdx = {0, 0, 0}, threadIdx = {0, 0, 0}, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
static inline double __longlong_as_double(long long v) { double d; memcpy(&d, &v, 8); return d; }

static std::vector<char> bw_read(const char* path) {
	std::vector<char> b;
	FILE* f = fopen(path, "rb");
	if (!f) { perror(path); exit(2); }
	char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) b.insert(b.end(), buf, buf + n);
	fclose(f);
	b.resize(b.size() + 8); // never empty: data() is a valid pointer
	return b;
}

static void bw_write(const char* path, const std::vector<char>& b, size_t n) {
	FILE* f = fopen(path, "wb");
	if (!f || fwrite(b.data(), 1, n, f) != n) { perror(path); exit(2); }
	fclose(f);
}
