#include "ui/models/generation_settings.h"

#include <QRandomGenerator>
#include <QtGlobal>

namespace fireside::ui {

GenerationSettings::GenerationSettings(QObject* parent) : QObject(parent) {}

void GenerationSettings::setSystemPrompt(const QString& value) {
    const QString v = value;
    if (systemPrompt_ == v) return;
    systemPrompt_ = v;
    emit changed();
}

void GenerationSettings::setTemplateName(const QString& value) {
    const QString v = value;
    if (templateName_ == v) return;
    templateName_ = v;
    emit changed();
}

void GenerationSettings::setCustomTemplate(const QString& value) {
    const QString v = value;
    if (customTemplate_ == v) return;
    customTemplate_ = v;
    emit changed();
}

void GenerationSettings::setTemperature(double value) {
    const double v = qBound<double>(0.0, value, 2.0);
    if (qFuzzyCompare(temperature_ + 1.0, v + 1.0)) return;
    temperature_ = v;
    emit changed();
}

void GenerationSettings::setTopK(int value) {
    const int v = qBound<int>(0, value, 1000);
    if (topK_ == v) return;
    topK_ = v;
    emit changed();
}

void GenerationSettings::setTopP(double value) {
    const double v = qBound<double>(0.0, value, 1.0);
    if (qFuzzyCompare(topP_ + 1.0, v + 1.0)) return;
    topP_ = v;
    emit changed();
}

void GenerationSettings::setMinP(double value) {
    const double v = qBound<double>(0.0, value, 1.0);
    if (qFuzzyCompare(minP_ + 1.0, v + 1.0)) return;
    minP_ = v;
    emit changed();
}

void GenerationSettings::setRepeatPenalty(double value) {
    const double v = qBound<double>(1.0, value, 2.0);
    if (qFuzzyCompare(repeatPenalty_ + 1.0, v + 1.0)) return;
    repeatPenalty_ = v;
    emit changed();
}

void GenerationSettings::setRepeatLastN(int value) {
    const int v = qBound<int>(-1, value, 4096);
    if (repeatLastN_ == v) return;
    repeatLastN_ = v;
    emit changed();
}

void GenerationSettings::setMaxNewTokens(int value) {
    const int v = qBound<int>(-1, value, 32768);
    if (maxNewTokens_ == v) return;
    maxNewTokens_ = v;
    emit changed();
}

void GenerationSettings::setSeed(int value) {
    const int v = qBound<int>(-1, value, 2147483647);
    if (seed_ == v) return;
    seed_ = v;
    emit changed();
}

void GenerationSettings::setContextLength(int value) {
    const int v = qBound<int>(0, value, 131072);
    if (contextLength_ == v) return;
    contextLength_ = v;
    emit changed();
    emit loadSettingsChanged();
}

void GenerationSettings::setGpuLayers(int value) {
    const int v = qBound<int>(-1, value, 1000);
    if (gpuLayers_ == v) return;
    gpuLayers_ = v;
    emit changed();
    emit loadSettingsChanged();
}

void GenerationSettings::setGpuDevice(const QString& value) {
    if (gpuDevice_ == value) return;
    gpuDevice_ = value;
    emit changed();
    emit loadSettingsChanged();
}

void GenerationSettings::setRopeBase(double value) {
    const double v = qBound<double>(0.0, value, 10000000.0);
    if (qFuzzyCompare(ropeBase_ + 1.0, v + 1.0)) return;
    ropeBase_ = v;
    emit changed();
    emit loadSettingsChanged();
}

void GenerationSettings::setRopeScale(double value) {
    const double v = qBound<double>(0.0, value, 16.0);
    if (qFuzzyCompare(ropeScale_ + 1.0, v + 1.0)) return;
    ropeScale_ = v;
    emit changed();
    emit loadSettingsChanged();
}

QJsonObject GenerationSettings::toJson() const {
    QJsonObject o;
    o.insert(QStringLiteral("systemPrompt"), systemPrompt_);
    o.insert(QStringLiteral("templateName"), templateName_);
    o.insert(QStringLiteral("customTemplate"), customTemplate_);
    o.insert(QStringLiteral("temperature"), temperature_);
    o.insert(QStringLiteral("topK"), topK_);
    o.insert(QStringLiteral("topP"), topP_);
    o.insert(QStringLiteral("minP"), minP_);
    o.insert(QStringLiteral("repeatPenalty"), repeatPenalty_);
    o.insert(QStringLiteral("repeatLastN"), repeatLastN_);
    o.insert(QStringLiteral("maxNewTokens"), maxNewTokens_);
    o.insert(QStringLiteral("seed"), seed_);
    o.insert(QStringLiteral("contextLength"), contextLength_);
    o.insert(QStringLiteral("gpuLayers"), gpuLayers_);
    o.insert(QStringLiteral("gpuDevice"), gpuDevice_);
    o.insert(QStringLiteral("ropeBase"), ropeBase_);
    o.insert(QStringLiteral("ropeScale"), ropeScale_);
    o.insert(QStringLiteral("template"),
             templateName_ == QLatin1String("custom") ? customTemplate_ : templateName_);
    return o;
}

void GenerationSettings::fromJson(const QJsonObject& json) {
    if (json.contains(QStringLiteral("systemPrompt")))
        setSystemPrompt(json.value(QStringLiteral("systemPrompt")).toString());
    if (json.contains(QStringLiteral("templateName")))
        setTemplateName(json.value(QStringLiteral("templateName")).toString());
    if (json.contains(QStringLiteral("customTemplate")))
        setCustomTemplate(json.value(QStringLiteral("customTemplate")).toString());
    if (json.contains(QStringLiteral("temperature")))
        setTemperature(json.value(QStringLiteral("temperature")).toDouble());
    if (json.contains(QStringLiteral("topK"))) setTopK(json.value(QStringLiteral("topK")).toInt());
    if (json.contains(QStringLiteral("topP"))) setTopP(json.value(QStringLiteral("topP")).toDouble());
    if (json.contains(QStringLiteral("minP"))) setMinP(json.value(QStringLiteral("minP")).toDouble());
    if (json.contains(QStringLiteral("repeatPenalty")))
        setRepeatPenalty(json.value(QStringLiteral("repeatPenalty")).toDouble());
    if (json.contains(QStringLiteral("repeatLastN")))
        setRepeatLastN(json.value(QStringLiteral("repeatLastN")).toInt());
    if (json.contains(QStringLiteral("maxNewTokens")))
        setMaxNewTokens(json.value(QStringLiteral("maxNewTokens")).toInt());
    if (json.contains(QStringLiteral("seed"))) setSeed(json.value(QStringLiteral("seed")).toInt());
    if (json.contains(QStringLiteral("contextLength")))
        setContextLength(json.value(QStringLiteral("contextLength")).toInt());
    if (json.contains(QStringLiteral("gpuLayers")))
        setGpuLayers(json.value(QStringLiteral("gpuLayers")).toInt());
    if (json.contains(QStringLiteral("gpuDevice")))
        setGpuDevice(json.value(QStringLiteral("gpuDevice")).toString());
    if (json.contains(QStringLiteral("ropeBase")))
        setRopeBase(json.value(QStringLiteral("ropeBase")).toDouble());
    if (json.contains(QStringLiteral("ropeScale")))
        setRopeScale(json.value(QStringLiteral("ropeScale")).toDouble());
}

void GenerationSettings::copyFrom(const GenerationSettings* other) {
    if (other && other != this) fromJson(other->toJson());
}

void GenerationSettings::resetToDefaults() {
    GenerationSettings defaults;
    copyFrom(&defaults);
}

GenerationOptions GenerationSettings::generationOptions() const {
    GenerationOptions o;
    o.sampler.temperature = float(temperature_);
    o.sampler.top_k = topK_;
    o.sampler.top_p = float(topP_);
    o.sampler.min_p = float(minP_);
    o.sampler.repeat_penalty = float(repeatPenalty_);
    o.sampler.repeat_last_n = repeatLastN_;
    o.sampler.seed = seed_ >= 0 ? uint64_t(seed_) : QRandomGenerator::global()->generate64();
    o.max_new_tokens = maxNewTokens_ == 0 ? -1 : maxNewTokens_;
    return o;
}

TemplateChoice GenerationSettings::templateChoice() const {
    TemplateChoice c;
    c.name = templateName_.toStdString();
    c.custom_spec = customTemplate_.toStdString();
    return c;
}

void GenerationSettings::applyToLoad(LoadRequest& request) const {
    request.n_ctx = contextLength_;
    request.gpu_layers = gpuLayers_;
    request.gpu_device = gpuDevice_;
    request.rope_freq_base = ropeBase_ > 0 ? std::optional<float>(float(ropeBase_)) : std::nullopt;
    request.rope_freq_scale = ropeScale_ > 0 ? std::optional<float>(float(ropeScale_)) : std::nullopt;
}

std::optional<std::string> GenerationSettings::system() const {
    if (systemPrompt_.trimmed().isEmpty()) return std::nullopt;
    return systemPrompt_.toStdString();
}

} // namespace fireside::ui
