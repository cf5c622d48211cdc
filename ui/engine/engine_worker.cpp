#include "ui/engine/engine_worker.h"

#include "engine/core/error.h"
#include "ui/engine/device_probe.h"
#include "ui/engine/reply.h"
#include "ui/engine/session_backend.h"

#include <new>

namespace fireside::ui {

namespace {

QString reason_name(FinishReason reason) {
    switch (reason) {
    case FinishReason::EndOfText:
        return QStringLiteral("end");
    case FinishReason::StopString:
        return QStringLiteral("stop");
    case FinishReason::MaxTokens:
        return QStringLiteral("length");
    case FinishReason::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QVariantMap stats_map(const GenerationStats& s) {
    return {
        {"reason", reason_name(s.reason)},
        {"promptTokens", qint64(s.prompt_tokens)},
        {"generatedTokens", qint64(s.generated_tokens)},
        {"promptSeconds", s.prompt_seconds},
        {"generationSeconds", s.generation_seconds},
        {"promptTokensPerSecond", s.prompt_seconds > 0 ? double(s.prompt_tokens) / s.prompt_seconds : 0.0},
        {"generationTokensPerSecond",
         s.generation_seconds > 0 ? double(s.generated_tokens) / s.generation_seconds : 0.0},
        {"contextUsed", qint64(s.context_used)},
        {"contextSize", qint64(s.context_size)},
        {"droppedTurns", qint64(s.dropped_turns)},
    };
}

// A message for the window from whatever the engine threw.
template <typename F>
QString catch_message(F&& f) {
    try {
        f();
        return {};
    } catch (const std::bad_alloc&) {
        return QStringLiteral("Out of memory: try a smaller model, a shorter context or fewer GPU layers.");
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

} // namespace

EngineWorker::EngineWorker(BackendFactory factory, QObject* parent)
    : QThread(parent), factory_(std::move(factory)) {
    if (!factory_) factory_ = [] { return std::make_unique<SessionBackend>(); };
}

EngineWorker::~EngineWorker() {
    {
        std::lock_guard lock(mutex_);
        quitting_ = true;
        for (auto& cancel : load_cancels_) *cancel = true;
        for (Job& job : jobs_)
            if (job.reply_flags) std::static_pointer_cast<Reply::Flags>(job.reply_flags)->cancel = true;
        if (running_flags_) running_flags_->cancel = true;
    }
    wake_.notify_all();
    wait();
}

void EngineWorker::enqueue(Job job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_all();
    if (!isRunning()) start();
}

quint64 EngineWorker::load(const LoadRequest& request) {
    Job job;
    job.kind = Job::Kind::Load;
    job.load = request;
    job.load_cancel = std::make_shared<std::atomic<bool>>(false);
    {
        std::lock_guard lock(mutex_);
        // A newer load replaces every earlier one, queued or running.
        for (auto& cancel : load_cancels_) *cancel = true;
        load_cancels_.assign(1, job.load_cancel);
        job.id = next_id_++;
    }
    const quint64 id = job.id;
    enqueue(std::move(job));
    return id;
}

void EngineWorker::cancelLoad() {
    std::lock_guard lock(mutex_);
    for (auto& cancel : load_cancels_) *cancel = true;
}

void EngineWorker::unload() {
    Job job;
    job.kind = Job::Kind::Unload;
    enqueue(std::move(job));
}

void EngineWorker::probeDevices() {
    Job job;
    job.kind = Job::Kind::Probe;
    enqueue(std::move(job));
}

Reply* EngineWorker::generate(const GenerationRequest& request, QObject* parent) {
    quint64 id;
    {
        std::lock_guard lock(mutex_);
        id = next_id_++;
    }
    auto* reply = new Reply(id, parent);
    connect(this, &EngineWorker::replyPiece, reply, &Reply::deliverPiece);
    connect(this, &EngineWorker::replyFinished, reply, &Reply::deliverFinished);
    connect(this, &EngineWorker::replyFailed, reply, &Reply::deliverFailed);
    Job job;
    job.kind = Job::Kind::Generate;
    job.id = id;
    job.generation = request;
    job.reply_flags = reply->flags();
    enqueue(std::move(job));
    return reply;
}

GenerationRequest EngineWorker::lastGeneration() const {
    std::lock_guard lock(mutex_);
    return last_generation_;
}

LoadRequest EngineWorker::lastLoad() const {
    std::lock_guard lock(mutex_);
    return last_load_;
}

int EngineWorker::generationsReceived() const {
    std::lock_guard lock(mutex_);
    return generations_;
}

void EngineWorker::run() {
    backend_ = factory_();
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return quitting_ || !jobs_.empty(); });
            if (quitting_) break;
            job = std::move(jobs_.front());
            jobs_.pop_front();
            if (job.kind == Job::Kind::Generate) {
                running_flags_ = std::static_pointer_cast<Reply::Flags>(job.reply_flags);
                last_generation_ = job.generation;
                ++generations_;
            }
            if (job.kind == Job::Kind::Load) last_load_ = job.load;
        }
        switch (job.kind) {
        case Job::Kind::Load:
            runLoad(job);
            break;
        case Job::Kind::Generate:
            runGenerate(job);
            break;
        case Job::Kind::Unload:
            backend_->unload();
            emit unloaded();
            break;
        case Job::Kind::Probe: {
            QString problem;
            const QVariantList devices = probe_vulkan_devices(problem);
            emit devicesFound(devices, problem);
            break;
        }
        }
        std::lock_guard lock(mutex_);
        running_flags_.reset();
    }
    backend_.reset();
}

void EngineWorker::runLoad(const Job& job) {
    const std::atomic<bool>& cancel = *job.load_cancel;
    if (cancel) {
        emit loadFailed(job.id, tr("Loading cancelled."), true);
        return;
    }
    emit loadStarted(job.id, job.load.path);
    QVariantMap info;
    int last_percent = -1;
    bool cancelled = false;
    const QString error = catch_message([&] {
        try {
            info = backend_->load(
                job.load,
                [&](double fraction) {
                    // Whole percents only: a fine-grained loader must not flood the UI's event queue.
                    const int percent = int(fraction * 100);
                    if (percent == last_percent) return;
                    last_percent = percent;
                    emit loadProgress(job.id, fraction);
                },
                cancel);
            if (cancel) throw Cancelled();
        } catch (const Cancelled&) {
            cancelled = true;
            backend_->unload();
        }
    });
    if (cancelled)
        emit loadFailed(job.id, tr("Loading cancelled."), true);
    else if (!error.isEmpty())
        emit loadFailed(job.id, error, false);
    else
        emit loaded(job.id, info);
}

void EngineWorker::runGenerate(const Job& job) {
    auto flags = std::static_pointer_cast<Reply::Flags>(job.reply_flags);
    if (flags->cancel) {
        GenerationStats stats;
        stats.reason = FinishReason::Cancelled;
        emit replyFinished(job.id, stats_map(stats));
        return;
    }
    std::string pending;
    const TextSink sink = [&](std::string_view text) {
        pending += text;
        if (!flags->piece_in_flight.exchange(true)) {
            emit replyPiece(job.id, QString::fromUtf8(pending.data(), qsizetype(pending.size())));
            pending.clear();
        }
    };
    GenerationStats stats;
    const QString error = catch_message([&] {
        try {
            stats = backend_->generate(job.generation, sink, &flags->cancel);
        } catch (const Cancelled&) {
            stats.reason = FinishReason::Cancelled;
        }
    });
    if (!pending.empty()) {
        flags->piece_in_flight = true;
        emit replyPiece(job.id, QString::fromUtf8(pending.data(), qsizetype(pending.size())));
    }
    if (error.isEmpty()) {
        QVariantMap finished = stats_map(stats);
        // The seed actually drawn (the setting may say "random"), as text: JSON numbers are doubles.
        finished.insert(QStringLiteral("seed"), QString::number(job.generation.options.sampler.seed));
        emit replyFinished(job.id, finished);
    } else {
        emit replyFailed(job.id, error);
    }
}

} // namespace fireside::ui
