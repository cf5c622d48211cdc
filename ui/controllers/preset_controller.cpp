#include "ui/controllers/preset_controller.h"

#include "ui/models/generation_settings.h"

#include <QJsonDocument>
#include <QSettings>

namespace fireside::ui {

namespace {

struct Builtin {
    const char* name;
    double temperature, top_p, min_p, repeat_penalty;
    int top_k;
};

// Sampling only: presets never touch the system prompt, template or load settings.
constexpr Builtin kBuiltins[] = {
    {"Precise", 0.3, 0.9, 0.0, 1.15, 40},  {"Balanced", 0.8, 0.95, 0.0, 1.1, 40},
    {"Creative", 1.0, 0.98, 0.05, 1.1, 0}, {"Storyteller", 0.9, 1.0, 0.05, 1.12, 0},
    {"Wild", 1.4, 1.0, 0.1, 1.05, 0},
};

const char* kDefaults = "settings/defaults";
const char* kPresets = "settings/presets";
const char* kTheme = "appearance/theme";

QJsonObject load_object(const char* key) {
    return QJsonDocument::fromJson(QSettings().value(QLatin1String(key)).toByteArray()).object();
}

void store_object(const char* key, const QJsonObject& object) {
    QSettings().setValue(QLatin1String(key), QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject sampling_of(const GenerationSettings* s) {
    QJsonObject all = s->toJson();
    for (const char* key : {"systemPrompt", "templateName", "customTemplate", "template", "contextLength",
                            "gpuLayers", "gpuDevice", "ropeBase", "ropeScale"})
        all.remove(QLatin1String(key));
    return all;
}

} // namespace

PresetController::PresetController(QObject* parent) : QObject(parent) {
    defaults_ = load_object(kDefaults);
    user_ = load_object(kPresets);
    theme_ = QSettings().value(QLatin1String(kTheme), QStringLiteral("system")).toString();
}

QStringList PresetController::builtinNames() const {
    QStringList names;
    for (const Builtin& b : kBuiltins) names << QLatin1String(b.name);
    return names;
}

QStringList PresetController::presetNames() const {
    return builtinNames() + user_.keys();
}

void PresetController::setTheme(const QString& theme) {
    if (theme == theme_) return;
    theme_ = theme;
    QSettings().setValue(QLatin1String(kTheme), theme);
    emit themeChanged();
}

void PresetController::applyDefaults(GenerationSettings* target) const {
    if (target) target->fromJson(defaults_);
}

bool PresetController::applyPreset(const QString& name, GenerationSettings* target) const {
    if (!target) return false;
    for (const Builtin& b : kBuiltins) {
        if (name != QLatin1String(b.name)) continue;
        target->setTemperature(b.temperature);
        target->setTopP(b.top_p);
        target->setMinP(b.min_p);
        target->setRepeatPenalty(b.repeat_penalty);
        target->setTopK(b.top_k);
        return true;
    }
    if (!user_.contains(name)) return false;
    target->fromJson(user_.value(name).toObject());
    return true;
}

void PresetController::savePreset(const QString& name, const GenerationSettings* source) {
    const QString clean = name.simplified();
    if (clean.isEmpty() || builtinNames().contains(clean) || !source) return;
    user_.insert(clean, sampling_of(source));
    store_object(kPresets, user_);
    emit presetsChanged();
}

void PresetController::deletePreset(const QString& name) {
    if (!user_.contains(name)) return;
    user_.remove(name);
    store_object(kPresets, user_);
    emit presetsChanged();
}

void PresetController::makeDefaults(const GenerationSettings* source) {
    if (!source) return;
    defaults_ = source->toJson();
    store_object(kDefaults, defaults_);
}

} // namespace fireside::ui
