#version 450
#extension GL_GOOGLE_include_directive : require
// Repacked q6_K weights (planes.glsl), eight tokens per workgroup.
#define PLANES_S8
#include "planes.glsl"
