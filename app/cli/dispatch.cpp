#include "app/cli/subcommand.h"
#include "engine/core/error.h"

#include <algorithm>
#include <exception>
#include <fmt/format.h>
#include <vector>

namespace fireside::cli {
namespace {

std::vector<Subcommand>& registry() {
    static std::vector<Subcommand> commands;
    return commands;
}

void print_help(std::ostream& out) {
    out << "Fireside " FIRESIDE_VERSION " - run LLaMA-family models locally (GGML v3 .bin and GGUF)\n\n"
           "Usage: fireside-cli [--version | --help] COMMAND [OPTIONS]\n\n"
           "Commands:\n";
    std::vector<Subcommand> sorted(registry());
    std::ranges::sort(sorted, {}, &Subcommand::name);
    for (const Subcommand& c : sorted) out << fmt::format("  {:<10} {}\n", c.name, c.summary);
    out << "\nRun 'fireside-cli COMMAND --help' for the options of a command.\n";
}

} // namespace

bool register_subcommand(const Subcommand& command) {
    registry().push_back(command);
    return true;
}

std::span<const Subcommand> subcommands() { return registry(); }

int run(std::span<const std::string> arguments, Io& io) {
    if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h" || arguments[0] == "help") {
        print_help(io.out);
        return arguments.empty() ? 2 : 0;
    }
    if (arguments[0] == "--version" || arguments[0] == "-V") {
        io.out << "fireside-cli " FIRESIDE_VERSION "\n";
        return 0;
    }
    auto it = std::ranges::find(registry(), arguments[0], &Subcommand::name);
    if (it == registry().end()) {
        io.err << fmt::format("fireside-cli: unknown command '{}'; run 'fireside-cli --help' for the list\n",
                              arguments[0]);
        return 2;
    }
    std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
    if (std::ranges::find(rest, "--help") != rest.end() || std::ranges::find(rest, "-h") != rest.end()) {
        io.out << fmt::format("Usage: fireside-cli {} {}\n\n{}\n", it->name, it->usage, it->summary);
        return 0;
    }
    try {
        Args args(std::move(rest));
        return it->run(args, io);
    } catch (const Error& e) {
        io.out.flush();
        io.err << fmt::format("fireside-cli {}: {}\n", it->name, e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        io.out.flush();
        io.err << fmt::format("fireside-cli {}: out of memory\n", it->name);
        return 1;
    } catch (const std::exception& e) {
        io.out.flush();
        io.err << fmt::format("fireside-cli {}: internal error: {}\n", it->name, e.what());
        return 1;
    }
}

} // namespace fireside::cli
