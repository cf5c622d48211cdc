#pragma once

#include "engine/model/model_desc.h"

#include <QString>
#include <QVariantMap>

namespace fireside::ui {

// SHA-256 (hex) of a model file's first MiB: the header and vocabulary, enough to tell files apart
// without reading gigabytes. Transcripts record it with the file's name and size.
QString model_header_hash(const QString& path);

// The model description the window shows and transcripts record: file name/size/hash, architecture,
// size class, parameters, quant mix, context, memory need and the device that runs it.
QVariantMap model_info(const QString& path, const ModelDesc& desc, int64_t n_ctx, const QString& device);

} // namespace fireside::ui
