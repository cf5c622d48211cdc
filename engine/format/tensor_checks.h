#pragma once

#include "engine/format/byte_cursor.h"
#include "engine/format/model_file.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace fireside {

// Checks one tensor's type id and shape the same way for both containers and returns its data size.
// `tensor` names it in messages. Refuses unknown types, zero or absurd dimensions, element counts that
// overflow, and rows that are not a whole number of blocks (blocks would straddle rows).
uint64_t check_tensor_shape(const ByteCursor& cursor, std::string_view tensor, uint32_t type_id,
                            std::span<const int64_t> ne, BlockType& type_out);

// Checks what involves several tensors: duplicate names, data outside the file, overlapping data.
void check_tensor_layout(const ByteCursor& cursor, std::span<const TensorInfo> tensors);

// The readers of each container; `bytes` begins with the magic.
ModelFile parse_ggjt(std::span<const std::byte> bytes, std::string_view name);
ModelFile parse_gguf(std::span<const std::byte> bytes, std::string_view name);

} // namespace fireside
