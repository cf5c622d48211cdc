#version 450
#extension GL_GOOGLE_include_directive : require
// The fused dequantize-and-multiply kernel for q2_K blocks (see mul_mat.glsl).
#define BLOCK_Q2_K
#include "mul_mat.glsl"
