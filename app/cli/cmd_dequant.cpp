#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/format/model_file.h"
#include "engine/quant/block_type.h"

#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <vector>

namespace fireside::cli {
namespace {

constexpr std::string_view kUsage = R"(MODEL TENSOR --out FILE [--rows A:B]

Writes rows [A, B) of a tensor (all rows by default) dequantized to float32, little endian, row-major.)";

struct RowRange {
    int64_t begin = 0, end = 0;
};

RowRange parse_rows(const std::string& text, int64_t n_rows, const std::string& tensor) {
    RowRange r{0, n_rows};
    auto colon = text.find(':');
    if (colon == std::string::npos) throw Error(fmt::format("--rows expects A:B, got '{}'", text));
    auto parse = [&](std::string_view s, int64_t& out) {
        if (s.empty()) return;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec != std::errc() || end != s.data() + s.size())
            throw Error(fmt::format("--rows expects A:B with whole numbers, got '{}'", text));
    };
    parse(std::string_view(text).substr(0, colon), r.begin);
    parse(std::string_view(text).substr(colon + 1), r.end);
    if (r.begin < 0 || r.begin >= r.end || r.end > n_rows)
        throw Error(
            fmt::format("--rows {} is outside tensor '{}' which has rows 0:{}", text, tensor, n_rows));
    return r;
}

int run_dequant(Args& args, Io& io) {
    std::string path = args.required_positional("MODEL (the model file)");
    std::string name = args.required_positional("TENSOR (the tensor's name, see 'info')");
    auto out_path = args.value("--out", "-o");
    auto rows_text = args.value("--rows");
    args.finish();
    if (!out_path) throw Error("missing --out FILE (where to write the float32 rows)");

    ModelFile file = open_model_file(path);
    const TensorInfo* t = file.find(name);
    if (!t) throw Error(fmt::format("{}: no tensor named '{}'", path, name));
    const BlockTraits& traits = block_traits(t->type);
    const int64_t n_rows = t->n_rows();
    RowRange rows = rows_text ? parse_rows(*rows_text, n_rows, name) : RowRange{0, n_rows};

    std::ofstream out(*out_path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(fmt::format("{}: cannot create the output file", *out_path));
    const size_t stride = row_bytes(t->type, t->ne[0]);
    std::vector<float> row(static_cast<size_t>(t->ne[0]));
    for (int64_t r = rows.begin; r < rows.end; ++r) {
        traits.dequantize_row(t->data + static_cast<size_t>(r) * stride, row.data(), t->ne[0]);
        out.write(reinterpret_cast<const char*>(row.data()),
                  static_cast<std::streamsize>(row.size() * sizeof(float)));
    }
    out.close();
    if (!out) throw Error(fmt::format("{}: writing failed (disk full?)", *out_path));
    io.out << fmt::format("wrote rows {}:{} of '{}' ({}, row length {}) to {}\n", rows.begin, rows.end, name,
                          traits.name, t->ne[0], *out_path);
    return 0;
}

const bool registered = register_subcommand(
    {"dequant", "write rows of a tensor as float32 (for checking dequantizers)", kUsage, &run_dequant});

} // namespace
} // namespace fireside::cli
