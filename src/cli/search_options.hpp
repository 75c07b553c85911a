// The options `vitdse search` and `vitdse compare` share.
#pragma once

#include <tbb/global_control.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "vitdse/report/search_job.hpp"

namespace vitdse::cli {

/// Flags that need parsing after Boost has read them.
struct SearchFlags {
  std::string objectives;
  std::vector<std::string> constraints;
  int threads = 0;
  std::string device = "cpu";
  bool no_surrogate = false;
};

void add_search_options(po::options_description& options, SearchFlags& flags, report::SearchJobOptions& job);
/// Checks ranges and fills the job from the flags; throws usage errors.
void apply_search_flags(const SearchFlags& flags, report::SearchJobOptions& job);
/// Caps TBB's worker threads while alive (0: no cap).
std::unique_ptr<tbb::global_control> limit_threads(int threads);

}  // namespace vitdse::cli
