// Fakes of libcublas and libnvrtc for the dlopen tests: built by the test
// with gcc into a temporary directory as libcublas.so.13 / libnvrtc.so.13.
// "Device" pointers are host pointers here, so the fake GEMMs compute.
#include <stddef.h>
#include <string.h>
#include <stdint.h>

static int handle_storage;
int cublasCreate_v2(void** h) { *h = &handle_storage; return 0; }
int cublasDestroy_v2(void* h) { return h == &handle_storage ? 0 : 7; }
int cublasGetVersion_v2(void* h, int* v) { *v = 130001; return 0; }
static void* last_stream;
int cublasSetStream_v2(void* h, void* s) { last_stream = s; return h == &handle_storage ? 0 : 7; }
void* fake_last_stream(void) { return last_stream; }

#define GEMM(name, T) \
int name(void* h, int ta, int tb, int m, int n, int k, const T* alpha, const T* a, int lda, \
	const T* b, int ldb, const T* beta, T* c, int ldc) { \
	if (h != &handle_storage) return 1; \
	for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) { \
		T s = 0; \
		for (int p = 0; p < k; p++) { \
			T x = ta ? a[p + i*lda] : a[i + p*lda]; \
			T y = tb ? b[j + p*ldb] : b[p + j*ldb]; \
			s += x * y; \
		} \
		c[i + j*ldc] = *alpha * s + *beta * c[i + j*ldc]; \
	} \
	return 0; \
}
GEMM(cublasSgemm_v2, float)
GEMM(cublasDgemm_v2, double)

typedef struct { const char* src; int ok; } prog;
static prog progs[4];
static int nprog;
int nvrtcVersion(int* ma, int* mi) { *ma = 13; *mi = 0; return 0; }
int nvrtcCreateProgram(void** p, const char* src, const char* name, int nh, const char* const* h, const char* const* hn) {
	progs[nprog % 4].src = src; *p = &progs[nprog++ % 4]; return 0;
}
int nvrtcCompileProgram(void* p, int n, const char* const* opts) {
	prog* q = p;
	q->ok = strstr(q->src, "error") == NULL && n == 1 && strcmp(opts[0], "--fake") == 0;
	return q->ok ? 0 : 6;
}
static const char* ptx = "// fake ptx\n";
static const char* logtext = "fake.cu(1): error: expected a fake\n";
int nvrtcGetPTXSize(void* p, size_t* n) { *n = strlen(ptx) + 1; return 0; }
int nvrtcGetPTX(void* p, char* s) { strcpy(s, ptx); return 0; }
int nvrtcGetProgramLogSize(void* p, size_t* n) { *n = strlen(logtext) + 1; return 0; }
int nvrtcGetProgramLog(void* p, char* s) { strcpy(s, logtext); return 0; }
int nvrtcDestroyProgram(void** p) { *p = NULL; return 0; }
const char* nvrtcGetErrorString(int r) { return r == 6 ? "NVRTC_ERROR_COMPILATION" : "NVRTC_ERROR"; }
