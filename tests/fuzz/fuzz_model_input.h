#pragma once

#include "engine/core/error.h"
#include "engine/format/model_file.h"
#include "engine/model/llama_tensors.h"
#include "engine/model/model_desc.h"
#include "engine/quant/block_type.h"

#include <span>
#include <vector>

namespace fireside::fuzz {

// What every fuzzer does with a parsed file: describe it, map its tensors and touch the first and last row
// of each tensor through the dequantizers, so a wrong pointer or size the reader let through is caught by
// AddressSanitizer. Only fireside::Error may escape the reader; anything else aborts the fuzzer.
inline void exercise(const ModelFile& file) {
    try {
        ModelDesc desc = describe_model(file);
        map_llama_tensors(file, desc);
    } catch (const Error&) {
    }
    std::vector<float> row;
    for (const TensorInfo& t : file.tensors) {
        const BlockTraits& traits = block_traits(t.type);
        const size_t stride = row_bytes(t.type, t.ne[0]);
        row.resize(static_cast<size_t>(t.ne[0]));
        traits.dequantize_row(t.data, row.data(), t.ne[0]);
        traits.dequantize_row(t.data + stride * static_cast<size_t>(t.n_rows() - 1), row.data(), t.ne[0]);
    }
}

} // namespace fireside::fuzz
