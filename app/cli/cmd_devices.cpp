#include "app/cli/json_writer.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/vulkan/instance.h"

#include <fmt/format.h>

namespace fireside::cli {
namespace {

constexpr std::string_view kUsage = R"([--json]

Lists the Vulkan devices Fireside can use for GPU layers, in the order --device indexes them, and marks
the one chosen by default (discrete > integrated > virtual > other; a software rasterizer only when
nothing else exists).

  --json                  machine-readable output)";

std::string api_text(uint32_t v) {
    return fmt::format("{}.{}.{}", VK_API_VERSION_MAJOR(v), VK_API_VERSION_MINOR(v), VK_API_VERSION_PATCH(v));
}

std::string mib(uint64_t bytes) {
    return fmt::format("{} MiB", bytes >> 20);
}

std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

int run_devices(Args& args, Io& io) {
    const bool json = args.flag("--json");
    args.finish();
    vk::Instance instance;
    const auto& devices = instance.devices();
    uint32_t chosen = 0;
    bool have_choice = true;
    try {
        chosen = instance.choose();
    } catch (const Error&) {
        have_choice = false;
    }
    if (json) {
        JsonWriter j(io.out);
        j.begin_object().key("devices").begin_array();
        for (const vk::DeviceInfo& d : devices) {
            j.begin_object();
            j.field("index", d.index).field("name", d.name).field("vendor", d.vendor);
            j.field("vendor_id", d.vendor_id).field("kind", vk::kind_name(d.kind)).field("driver", d.driver);
            j.field("api_version", api_text(d.api_version));
            j.field("device_local_bytes", d.device_local_bytes);
            j.key("budget_bytes");
            if (d.budget_bytes)
                j.value(d.budget_bytes);
            else
                j.null();
            j.field("float16", d.float16).field("int8", d.int8);
            j.field("storage16", d.storage16).field("storage8", d.storage8);
            j.field("subgroup_size", d.subgroup_size).field("subgroup_arithmetic", d.subgroup_arithmetic);
            j.field("default", have_choice && d.index == chosen);
            j.end_object();
        }
        j.end_array().end_object();
        j.finish();
        return 0;
    }
    if (devices.empty()) {
        io.out << "no Vulkan devices found; Fireside will run on the CPU\n";
        return 0;
    }
    for (const vk::DeviceInfo& d : devices) {
        io.out << fmt::format("{}{}: {}\n", d.index, have_choice && d.index == chosen ? " (default)" : "",
                              d.name);
        io.out << fmt::format("    vendor      {} (0x{:04x}), {}\n", d.vendor, d.vendor_id,
                              vk::kind_name(d.kind));
        io.out << fmt::format("    driver      {}\n", d.driver);
        io.out << fmt::format("    Vulkan      {}\n", api_text(d.api_version));
        io.out << fmt::format("    memory      {} device-local, budget {}\n", mib(d.device_local_bytes),
                              d.budget_bytes ? mib(d.budget_bytes) : std::string("unknown"));
        io.out << fmt::format("    features    fp16 {}, int8 {}, 16-bit storage {}, 8-bit storage {}\n",
                              yes_no(d.float16), yes_no(d.int8), yes_no(d.storage16), yes_no(d.storage8));
        io.out << fmt::format("    subgroups   size {}, arithmetic {}\n", d.subgroup_size,
                              yes_no(d.subgroup_arithmetic));
    }
    return 0;
}

const bool registered =
    register_subcommand({"devices", "list the Vulkan devices usable for GPU layers", kUsage, &run_devices});

} // namespace
} // namespace fireside::cli
