// Prefix-affine hand-out of a batch's designs.
#include "work_router.hpp"

#include <cstdlib>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::cluster {

namespace {

std::size_t shared_prefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

void WorkRouter::begin(std::vector<std::vector<std::string>> keys) {
  keys_ = std::move(keys);
  taken_.assign(keys_.size(), 0);
  first_open_ = 0;
}

std::optional<std::size_t> WorkRouter::next(int rank) {
  while (first_open_ < keys_.size() && taken_[first_open_] != 0) ++first_open_;
  if (first_open_ == keys_.size()) return std::nullopt;
  auto& last = last_.at(static_cast<std::size_t>(rank));
  std::size_t best = first_open_;
  if (by_prefix_) {
    std::size_t best_shared = shared_prefix(keys_[best], last);
    for (std::size_t i = best + 1; i < keys_.size(); ++i) {
      if (taken_[i] != 0) continue;
      const std::size_t shared = shared_prefix(keys_[i], last);
      if (shared > best_shared) best = i, best_shared = shared;
    }
  }
  taken_[best] = 1;
  last = keys_[best];
  return best;
}

bool route_by_prefix_from_environment() {
  const char* value = std::getenv("VITDSE_ROUTE_BY_PREFIX");
  if (value == nullptr || std::string(value) == "1") return true;
  if (std::string(value) == "0") return false;
  throw Error("VITDSE_ROUTE_BY_PREFIX must be 0 or 1, not '" + printable(value) + "'");
}

}  // namespace vitdse::cluster
