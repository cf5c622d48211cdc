#version 450
#extension GL_GOOGLE_include_directive : require
// The fused dequantize-and-multiply kernel for q4_1 blocks and one token (see mul_mat.glsl).
#define BLOCK_Q4_1
#define TOKENS_PER_GROUP 1
#include "mul_mat.glsl"
