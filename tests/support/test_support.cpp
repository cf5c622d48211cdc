#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonObject>
#include <QtTest>
#include <cstring>

namespace fireside::test {

std::filesystem::path shared_dir() {
    std::filesystem::path dir(FIRESIDE_SHARED_DIR);
    std::error_code ec;
    return std::filesystem::is_directory(dir / "models", ec) ? dir : std::filesystem::path();
}

bool have_shared() {
    return !shared_dir().empty();
}

std::filesystem::path shared_path(const std::string& relative) {
    return shared_dir() / relative;
}

QByteArray read_file(const std::filesystem::path& path) {
    QFile f(QString::fromStdString(path.string()));
    if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", path.string().c_str());
    return f.readAll();
}

QJsonDocument read_json(const std::filesystem::path& path) {
    QJsonParseError error{};
    QJsonDocument doc = QJsonDocument::fromJson(read_file(path), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in %s: %s", path.string().c_str(), qPrintable(error.errorString()));
    return doc;
}

std::vector<float> read_f32(const std::filesystem::path& path) {
    QByteArray bytes = read_file(path);
    std::vector<float> values(static_cast<size_t>(bytes.size()) / sizeof(float));
    std::memcpy(values.data(), bytes.constData(), values.size() * sizeof(float));
    return values;
}

std::vector<int32_t> json_ids(const QJsonArray& array) {
    std::vector<int32_t> ids;
    for (const QJsonValue& v : array) ids.push_back(v.toInt());
    return ids;
}

void add_greedy_reference_rows() {
    QTest::addColumn<QString>("file");
    if (!have_shared()) {
        QTest::newRow("no shared data") << QString();
        return;
    }
    for (const QJsonValue& v : read_json(shared_path("reference/greedy/index.json")).array())
        QTest::newRow(qPrintable(v.toObject()["model"].toString())) << v.toObject()["file"].toString();
}

QString cli_path() {
    return QStringLiteral(FIRESIDE_CLI_PATH);
}

SynthShape small_synth_shape(int64_t n_layer) {
    SynthShape s;
    s.n_vocab = 320;
    s.n_embd = 256;
    s.n_head = 4;
    s.n_head_kv = 2;
    s.n_layer = n_layer;
    s.n_ff = 512;
    s.n_ctx = 1024;
    return s;
}

std::filesystem::path make_synth(const QString& dir, const std::string& mix, const SynthShape& shape,
                                 const std::string& stem, uint64_t seed) {
    const auto path = std::filesystem::path(dir.toStdString()) / (stem + "." + mix + ".gguf");
    if (std::filesystem::exists(path)) return path;
    SynthSpec spec;
    spec.shape = shape;
    spec.seed = seed;
    SynthModel model(spec);
    ModelWriteOptions options;
    options.container = Container::Gguf;
    options.n_threads = 2;
    write_synth_model(path, model, require_quant_mix(mix), options);
    return path;
}

} // namespace fireside::test
