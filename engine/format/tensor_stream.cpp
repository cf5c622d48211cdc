#include "engine/format/tensor_stream.h"

#include "engine/core/error.h"
#include "engine/format/atomic_file_writer.h"

#include <algorithm>
#include <fmt/format.h>

namespace fireside {

int64_t TensorToWrite::n_rows() const {
    int64_t rows = 1;
    for (size_t i = 1; i < ne.size(); ++i) rows *= ne[i];
    return rows;
}

uint64_t TensorToWrite::n_bytes() const {
    if (ne.empty()) return 0;
    return static_cast<uint64_t>(n_rows()) * row_bytes(type, ne[0]);
}

int64_t rows_per_block(int64_t row_length) {
    constexpr int64_t kValuesPerBlock = int64_t{1} << 20;
    return std::max<int64_t>(1, kValuesPerBlock / std::max<int64_t>(1, row_length));
}

void check_tensors_to_write(std::span<const TensorToWrite> tensors, std::string_view target) {
    constexpr int64_t kMaxDim = int64_t{1} << 40;
    for (const TensorToWrite& t : tensors) {
        if (t.name.empty()) throw Error(fmt::format("{}: a tensor has no name", target));
        if (t.ne.empty() || t.ne.size() > 4)
            throw Error(fmt::format("{}: tensor '{}' has {} dimensions; 1 to 4 can be stored", target, t.name,
                                    t.ne.size()));
        int64_t total = 1;
        for (int64_t d : t.ne) {
            if (d <= 0 || d > kMaxDim || total > kMaxDim / d)
                throw Error(fmt::format("{}: tensor '{}' has an impossible shape", target, t.name));
            total *= d;
        }
        const BlockTraits& traits = block_traits(t.type);
        if (t.ne[0] % traits.block_values != 0)
            throw Error(fmt::format("{}: tensor '{}' has rows of {} values, not a multiple of the {}-value "
                                    "{} block",
                                    target, t.name, t.ne[0], traits.block_values, traits.name));
    }
}

void stream_tensor_data(AtomicFileWriter& out, std::span<const TensorToWrite> tensors, size_t index,
                        const RowProducer& rows, uint64_t& bytes_done, uint64_t bytes_total,
                        const ProgressCallback& progress) {
    const TensorToWrite& t = tensors[index];
    const size_t bytes_per_row = row_bytes(t.type, t.ne[0]);
    const int64_t n_rows = t.n_rows();
    const int64_t block = rows_per_block(t.ne[0]);
    std::vector<std::byte> buffer(static_cast<size_t>(std::min(block, n_rows)) * bytes_per_row);
    for (int64_t first = 0; first < n_rows; first += block) {
        int64_t count = std::min(block, n_rows - first);
        size_t n = static_cast<size_t>(count) * bytes_per_row;
        rows(index, first, count, buffer.data());
        out.write(buffer.data(), n);
        bytes_done += n;
        if (progress) progress({index, tensors.size(), t.name, t.type, bytes_done, bytes_total});
    }
}

} // namespace fireside
