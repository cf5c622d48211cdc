#pragma once

#include "engine/format/synth_model.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

// Helpers shared by the test executables.
namespace fireside::test {

// ../shared beside the checkout, or an empty path when it is absent (tests that need it then skip).
std::filesystem::path shared_dir();
bool have_shared();
// A path inside ../shared (shared_dir() / relative).
std::filesystem::path shared_path(const std::string& relative);

QByteArray read_file(const std::filesystem::path& path);
QJsonDocument read_json(const std::filesystem::path& path);
std::vector<float> read_f32(const std::filesystem::path& path);

// The integers of a JSON array (token ids in the reference files).
std::vector<int32_t> json_ids(const QJsonArray& array);

// For a data-driven test: a "file" column with one row per case of reference/greedy/index.json (one
// placeholder row without ../shared, which the test function then skips).
void add_greedy_reference_rows();

// The path of the built fireside-cli executable.
QString cli_path();

// A small synthetic model's shape (256-wide, 4 heads sharing 2 KV heads, 512-wide feed-forward, a
// 320-token vocabulary): every dimension a multiple of the k-quant block and of sixteen rows.
SynthShape small_synth_shape(int64_t n_layer = 3);
// Writes a synthetic model in `mix` as GGUF to dir/STEM.MIX.gguf (once: an existing file is reused).
std::filesystem::path make_synth(const QString& dir, const std::string& mix, const SynthShape& shape,
                                 const std::string& stem = "small", uint64_t seed = 3);

} // namespace fireside::test

// Skips the current test function when ../shared is absent.
#define FIRESIDE_REQUIRE_SHARED()                                                                            \
    do {                                                                                                     \
        if (!fireside::test::have_shared()) QSKIP("../shared test data is not present");                     \
    } while (0)
