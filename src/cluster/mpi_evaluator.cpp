// Handing out a batch dynamically, in pieces, and gathering its scores.
#include "mpi_evaluator.hpp"

#include <tbb/global_control.h>

#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "mpi_messages.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::cluster {

namespace {

/// Serial numbers of setups, so a worker knows which of its stacks a design is for.
std::uint64_t g_setups = 0;
/// The setup sent ahead of its evaluator, if it has not been claimed by one yet.
std::optional<std::pair<std::uint64_t, std::string>> g_announced;

}  // namespace

std::uint64_t announce_setup(const std::string& text, int ranks) {
  SetupHeader header;
  header.setup = ++g_setups;
  header.threads =
      static_cast<std::int32_t>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
  header.log_level = static_cast<std::int32_t>(spdlog::get_level());
  for (int r = 1; r < ranks; ++r) send_message(r, kSetup, header, text);
  g_announced.emplace(header.setup, text);
  return header.setup;
}

namespace {

/// The serial of `text`'s setup on the other ranks: the announced one, or a fresh announcement.
std::uint64_t claim_setup(const std::string& text, int ranks) {
  if (!g_announced || g_announced->second != text) (void)announce_setup(text, ranks);
  return std::exchange(g_announced, std::nullopt)->first;
}

}  // namespace

MpiEvaluator::MpiEvaluator(const search::ScoringStack& stack, const std::atomic<bool>* stop, int ranks)
    : stack_(stack),
      stop_(stop),
      ranks_(ranks),
      setup_(claim_setup(stack.setup().text(), ranks)),
      scheduler_(ranks, route_by_prefix_from_environment()),
      local_(stack.scorer()) {
  // Every rank answers every setup it was sent, an announced one it was not asked to use
  // included; only the answers to this one count.
  std::optional<std::string> failure;
  for (int pending = ranks_ - 1; pending > 0;) {
    const MPI_Status status = wait_for_message(MPI_ANY_SOURCE);
    std::string reply;
    const auto header = header_of<SetupHeader>(receive(status), &reply);
    if (header.setup != setup_) continue;
    --pending;
    if (status.MPI_TAG == kFailed) {
      failure = failure.value_or(reply);
    } else if (reply != stack.scorer().context()) {
      failure = failure.value_or("rank " + std::to_string(status.MPI_SOURCE) +
                                 " loaded different files (its scoring context differs from rank 0's): give every "
                                 "rank the same model, weights and dataset");
    }
  }
  if (failure) throw Error(*failure);
  spdlog::debug("scoring on {} ranks", ranks_);
}

std::vector<search::Scored> MpiEvaluator::evaluate(std::span<const search::Candidate> batch,
                                                   const OnScored& on_scored) {
  const std::uint64_t batch_id = ++batches_;
  const int parts = stack_.scorer().parts();
  std::vector<std::vector<std::string>> keys;
  keys.reserve(batch.size());
  for (const auto& c : batch) keys.push_back(model::stage_keys(c.design, stack_.workload()));
  scheduler_.begin(std::move(keys), parts);

  std::vector<search::Scored> out(batch.size());
  std::vector<char> have(batch.size(), 0);
  std::vector<std::map<int, search::PartialScore>> pieces(batch.size());  // by first part
  std::vector<int> parts_in(batch.size(), 0);
  std::size_t done = 0;
  auto record = [&](std::size_t index, const search::Score& score) {
    out[index] = {score, false};
    have[index] = 1;
    ++done;
    if (on_scored) on_scored(index, out[index]);
  };
  // A piece's logits; once a design's pieces cover all its parts, its score, in image order.
  auto collect = [&](std::size_t index, int first, int last, search::PartialScore part) {
    scheduler_.finished(last - first, part.seconds, part.setup_seconds);
    pieces[index].emplace(first, std::move(part));
    if ((parts_in[index] += last - first) < parts) return;
    std::vector<search::PartialScore> ordered;
    for (auto& [at, p] : pieces[index]) ordered.push_back(std::move(p));
    pieces[index].clear();
    record(index, stack_.scorer().combine(batch[index].design, ordered));
  };
  auto give = [&](int rank) {
    const auto piece = scheduler_.next(rank);
    if (!piece) return;
    if (rank == 0) {
      local_.start(batch_id, *piece, batch[piece->index].design);
    } else {
      send_message(rank, kDesign, WorkHeader{setup_, batch_id, piece->index, piece->first, piece->last},
                   batch[piece->index].hash + "\n" + batch[piece->index].canonical);
    }
  };
  for (int r = 0; r < ranks_; ++r) give(r);

  Backoff backoff;
  while (done < batch.size() && !(stop_ != nullptr && stop_->load())) {
    bool progressed = false;
    if (auto local = local_.take()) {
      progressed = true;
      if (local->error) throw Error(*local->error);
      if (local->batch == batch_id) {
        const Piece& piece = local->piece;
        if (piece.last > piece.first) {
          collect(piece.index, piece.first, piece.last, std::move(local->part));
        } else {
          record(piece.index, local->score);
        }
        give(0);
      }
    }
    MPI_Status status{};
    if (message_waiting(MPI_ANY_SOURCE, status)) {
      progressed = true;
      const std::string bytes = receive(status);
      if (status.MPI_TAG == kFailed) {
        std::string text;
        if (header_of<SetupHeader>(bytes, &text).setup == setup_) throw Error(text);
        continue;  // about a set-up announced and then not used
      }
      if (status.MPI_TAG == kPart) {
        std::string floats;
        const auto header = header_of<PartHeader>(bytes, &floats);
        if (header.work.setup == setup_ && header.work.batch == batch_id) {
          search::PartialScore part{std::vector<float>(floats.size() / sizeof(float)), header.seconds,
                                    header.setup_seconds};
          if (!part.logits.empty()) std::memcpy(part.logits.data(), floats.data(), part.logits.size() * sizeof(float));
          collect(header.work.index, header.work.first, header.work.last, std::move(part));
          give(status.MPI_SOURCE);
        }
        continue;
      }
      const auto message = header_of<ScoreMessage>(bytes);
      if (status.MPI_TAG == kScore && message.work.setup == setup_ && message.work.batch == batch_id) {
        record(message.work.index, message.score);
        give(status.MPI_SOURCE);
      }
    }
    if (progressed) {
      backoff.reset();
    } else {
      backoff.idle();
    }
  }
  if (done < batch.size()) {  // stopped: the leading part that is in
    std::size_t lead = 0;
    while (lead < batch.size() && have[lead] != 0) ++lead;
    out.resize(lead);
  }
  return out;
}

}  // namespace vitdse::cluster
