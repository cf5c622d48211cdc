#version 450
#extension GL_GOOGLE_include_directive : require
// Repacked q6_K weights (planes.glsl), one token, eight row groups per workgroup.
#define PLANES_S8
#define TOKENS_PER_GROUP 1
#define ROWS_PER_LANE 8
#include "planes.glsl"
