#version 450
#extension GL_GOOGLE_include_directive : require
// The fused dequantize-and-multiply kernel for q8_0 blocks (see mul_mat.glsl).
#define BLOCK_Q8_0
#include "mul_mat.glsl"
