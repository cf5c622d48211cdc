#pragma once

#include <QString>
#include <QVariantList>

namespace fireside::ui {

// The Vulkan devices (name, kind, memory) for the GPU-layers setting. Empty with `problem` set when
// Vulkan is unavailable. Slow (creates an instance), so the worker thread calls it.
QVariantList probe_vulkan_devices(QString& problem);

} // namespace fireside::ui
