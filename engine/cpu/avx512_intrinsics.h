// The AVX-512 intrinsics for the kernel files built with AVX-512 enabled. gcc 12's AVX-512 headers
// build casts and zero vectors from _mm512_undefined_*(), which its own uninitialized-use analysis
// then reports inside the headers, so those two warnings are off in the files that include this.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
