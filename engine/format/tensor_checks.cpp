#include "engine/format/tensor_checks.h"

#include <algorithm>
#include <fmt/ranges.h>
#include <numeric>
#include <unordered_set>
#include <vector>

namespace fireside {
namespace {

std::string shape_text(std::span<const int64_t> ne) {
    return fmt::format("[{}]", fmt::join(ne, ", "));
}

} // namespace

uint64_t check_tensor_shape(const ByteCursor& cursor, std::string_view tensor, uint32_t type_id,
                            std::span<const int64_t> ne, BlockType& type_out) {
    const BlockTraits* traits = find_block_traits(type_id);
    if (!traits)
        cursor.fail(fmt::format("tensor '{}' has unknown ggml type id {} (retired or from a newer format)",
                                tensor, type_id));
    if (ne.empty() || ne.size() > 4)
        cursor.fail(fmt::format("tensor '{}' has {} dimensions; 1 to 4 are allowed", tensor, ne.size()));
    int64_t elements = 1;
    for (size_t i = 0; i < ne.size(); ++i) {
        if (ne[i] <= 0 || ne[i] > FormatLimits::max_dim)
            cursor.fail(fmt::format("tensor '{}' has an invalid shape {}: dimension {} must be 1..{}", tensor,
                                    shape_text(ne), i, FormatLimits::max_dim));
        if (elements > FormatLimits::max_elements / ne[i])
            cursor.fail(fmt::format("tensor '{}' has an absurd shape {}: more than {} elements", tensor,
                                    shape_text(ne), FormatLimits::max_elements));
        elements *= ne[i];
    }
    if (ne[0] % traits->block_values != 0)
        cursor.fail(fmt::format("tensor '{}' ({}, shape {}) has rows of {} values, not a multiple of the {} "
                                "block size {}: blocks would straddle rows; re-quantize from a file whose "
                                "row lengths are multiples of {}",
                                tensor, traits->name, shape_text(ne), ne[0], traits->name,
                                traits->block_values, traits->block_values));
    // elements <= 2^40 and block_bytes is small, so this cannot overflow.
    uint64_t blocks = static_cast<uint64_t>(elements / traits->block_values);
    type_out = traits->type;
    return blocks * traits->block_bytes;
}

void check_tensor_layout(const ByteCursor& cursor, std::span<const TensorInfo> tensors) {
    std::unordered_set<std::string_view> names;
    for (const TensorInfo& t : tensors) {
        if (!names.insert(t.name).second) cursor.fail(fmt::format("tensor '{}' appears twice", t.name));
        if (t.offset > cursor.size() || t.n_bytes > cursor.size() - t.offset)
            cursor.fail(fmt::format("truncated: tensor '{}' needs bytes {}..{} but the file ends at {}",
                                    t.name, t.offset, t.offset + t.n_bytes, cursor.size()));
    }
    std::vector<const TensorInfo*> by_offset;
    by_offset.reserve(tensors.size());
    for (const TensorInfo& t : tensors) by_offset.push_back(&t);
    std::ranges::sort(by_offset, {}, &TensorInfo::offset);
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const TensorInfo& a = *by_offset[i - 1];
        const TensorInfo& b = *by_offset[i];
        if (a.offset + a.n_bytes > b.offset)
            cursor.fail(fmt::format("tensors '{}' and '{}' overlap in the file (bytes {}..{} and {}..{})",
                                    a.name, b.name, a.offset, a.offset + a.n_bytes, b.offset,
                                    b.offset + b.n_bytes));
    }
}

} // namespace fireside
