#include "tests/support/test_support.h"

#include <QFile>
#include <QtTest>
#include <cstring>

namespace fireside::test {

std::filesystem::path shared_dir() {
    std::filesystem::path dir(FIRESIDE_SHARED_DIR);
    std::error_code ec;
    return std::filesystem::is_directory(dir / "models", ec) ? dir : std::filesystem::path();
}

bool have_shared() { return !shared_dir().empty(); }

std::filesystem::path shared_path(const std::string& relative) { return shared_dir() / relative; }

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

QString cli_path() { return QStringLiteral(FIRESIDE_CLI_PATH); }

} // namespace fireside::test
