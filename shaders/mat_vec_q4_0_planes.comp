#version 450
#extension GL_GOOGLE_include_directive : require
// Repacked q4_0 weights (planes_q4_0.glsl), one token, four row groups per workgroup.
#define TOKENS_PER_GROUP 1
#define ROWS_PER_LANE 4
#include "planes_q4_0.glsl"
