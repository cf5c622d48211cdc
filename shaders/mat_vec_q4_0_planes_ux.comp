#version 450
#extension GL_GOOGLE_include_directive : require
// mat_vec_q4_0_planes with the activations in a uniform buffer.
#define PLANES_Q4_0
#define TOKENS_PER_GROUP 1
#define ROWS_PER_LANE 4
#define X_UNIFORM
#include "planes.glsl"
