#include "app/cli/subcommand.h"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    std::vector<std::string> arguments(argv + 1, argv + argc);
    fireside::cli::Io io{std::cout, std::cerr};
    int status = fireside::cli::run(arguments, io);
    std::cout.flush();
    return status;
}
