#pragma once

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

} // namespace fireside::test

// Skips the current test function when ../shared is absent.
#define FIRESIDE_REQUIRE_SHARED()                                                                            \
    do {                                                                                                     \
        if (!fireside::test::have_shared()) QSKIP("../shared test data is not present");                     \
    } while (0)
