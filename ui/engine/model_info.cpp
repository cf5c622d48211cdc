#include "ui/engine/model_info.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

namespace fireside::ui {

QString model_header_hash(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(file.read(1 << 20));
    return QString::fromLatin1(hash.result().toHex());
}

QVariantMap model_info(const QString& path, const ModelDesc& desc, int64_t n_ctx, const QString& device) {
    QStringList mix;
    for (const auto& [type, count] : desc.tensor_types)
        mix << QStringLiteral("%1 × %2").arg(count).arg(QString::fromStdString(type));
    const uint64_t kv = desc.kv_cache_bytes(n_ctx);
    return {
        {"path", path},
        {"fileName", QFileInfo(path).fileName()},
        {"fileBytes", qint64(desc.file_bytes)},
        {"headerHash", model_header_hash(path)},
        {"architecture", QStringLiteral("LLaMA")},
        {"container", desc.container == Container::Gguf ? QStringLiteral("GGUF") : QStringLiteral("GGML v3")},
        {"sizeClass", QString::fromStdString(desc.size_class)},
        {"fileType", QString::fromStdString(desc.ftype_name)},
        {"quantMix", mix.join(QStringLiteral(", "))},
        {"layers", qint64(desc.n_layer)},
        {"embedding", qint64(desc.n_embd)},
        {"heads", qint64(desc.n_head)},
        {"kvHeads", qint64(desc.n_head_kv)},
        {"vocabulary", qint64(desc.n_vocab)},
        {"contextLength", qint64(desc.n_ctx_train)},
        {"context", qint64(n_ctx)},
        {"parameters", qint64(desc.n_params)},
        {"kvCacheBytes", qint64(kv)},
        {"memoryBytes", qint64(desc.file_bytes + kv)},
        {"ropeBase", double(desc.rope_freq_base)},
        {"ropeScale", double(desc.rope_freq_scale)},
        {"device", device},
    };
}

} // namespace fireside::ui
