#include "app/cli/progress_bar.h"

#include <fmt/format.h>
#include <iostream>
#include <unistd.h>

namespace fireside::cli {

bool is_terminal(const std::ostream& stream) {
    return &stream == &std::cerr && isatty(STDERR_FILENO) == 1;
}

void ProgressBar::update(const WriteProgress& p) {
    const double fraction =
        p.bytes_total == 0 ? 1.0 : static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total);
    if (!terminal_) {
        if (p.tensor == last_tensor_) return;
        last_tensor_ = p.tensor;
        err_ << fmt::format("[{:>{}}/{}] {:<5} {}\n", p.tensor + 1, fmt::formatted_size("{}", p.n_tensors),
                            p.n_tensors, block_traits(p.type).name, p.name);
        return;
    }
    const int permille = static_cast<int>(fraction * 1000.0);
    const auto now = std::chrono::steady_clock::now();
    // Redraw only when something visible changed, and at most ~20 times a second.
    if (permille == last_permille_ && p.tensor == last_tensor_) return;
    if (drawn_ && p.bytes_done < p.bytes_total && now - last_draw_ < std::chrono::milliseconds(50)) return;
    last_permille_ = permille;
    last_tensor_ = p.tensor;
    last_draw_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '.');
    std::string name(p.name.substr(0, 40));
    err_ << fmt::format("\r[{}] {:5.1f}% {}/{} {:<5} {:<40}", bar, fraction * 100.0, p.tensor + 1,
                        p.n_tensors, block_traits(p.type).name, name)
         << std::flush;
    drawn_ = true;
}

void ProgressBar::finish() {
    if (terminal_ && drawn_) err_ << "\n" << std::flush;
    drawn_ = false;
}

} // namespace fireside::cli
