#include "ui/controllers/model_controller.h"

#include "engine/core/error.h"
#include "engine/format/model_file.h"
#include "engine/model/model_desc.h"

#include <QFileInfo>
#include <QtConcurrent>

namespace fireside::ui {

ModelController::ModelController(QObject* parent) : QObject(parent) {
    connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, &ModelController::finish);
}

QStringList ModelController::nameFilters() const {
    return {tr("Models (*.bin *.gguf)"), tr("GGML v3 models (*.bin)"), tr("GGUF models (*.gguf)"),
            tr("All files (*)")};
}

void ModelController::open(const QUrl& url) { openPath(url.isLocalFile() ? url.toLocalFile() : url.toString()); }

void ModelController::openPath(const QString& path) {
    if (watcher_.isRunning()) return;
    clearError();
    watcher_.setFuture(QtConcurrent::run(&ModelController::inspect, path));
    emit busyChanged();
}

void ModelController::clearError() {
    if (error_.isEmpty()) return;
    error_.clear();
    emit errorChanged();
}

ModelController::Outcome ModelController::inspect(const QString& path) {
    Outcome out;
    out.path = path;
    try {
        ModelFile file = open_model_file(path.toStdString());
        ModelDesc desc = describe_model(file);
        out.info = {
            {"sizeClass", QString::fromStdString(desc.size_class)},
            {"fileType", QString::fromStdString(desc.ftype_name)},
            {"layers", qint64(desc.n_layer)},
            {"embedding", qint64(desc.n_embd)},
            {"heads", qint64(desc.n_head)},
            {"kvHeads", qint64(desc.n_head_kv)},
            {"vocabulary", qint64(desc.n_vocab)},
            {"contextLength", qint64(desc.n_ctx_train)},
            {"parameters", qint64(desc.n_params)},
            {"fileBytes", qint64(desc.file_bytes)},
        };
    } catch (const Error& e) {
        out.error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        out.error = tr("Could not open %1: %2").arg(path, QString::fromStdString(e.what()));
    }
    return out;
}

void ModelController::finish() {
    Outcome out = watcher_.result();
    if (out.error.isEmpty()) {
        fileName_ = QFileInfo(out.path).fileName();
        info_ = out.info;
        emit modelChanged();
    } else {
        error_ = out.error;
        emit errorChanged();
    }
    emit busyChanged();
}

} // namespace fireside::ui
