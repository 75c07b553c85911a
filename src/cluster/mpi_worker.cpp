// The worker's loop: set-ups, designs, stop.
#include "mpi_worker.hpp"

#include <tbb/global_control.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <list>
#include <memory>

#include <spdlog/spdlog.h>

#include "mpi_messages.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/model/design.hpp"
#include "vitdse/search/scoring_stack.hpp"

namespace vitdse::cluster {

namespace {

/// Stacks kept built: a search's, its screening's and the re-scoring of its front alternate in
/// `compare`.
constexpr std::size_t kStacksKept = 3;

struct Built {
  std::string text;
  std::uint64_t setup = 0;  ///< the serial rank 0 last announced it under
  std::unique_ptr<search::ScoringStack> stack;
};

/// The design a kDesign message carries, checked against its hash.
model::Design read_design(const search::ScoringStack& stack, const std::string& message) {
  const auto newline = message.find('\n');
  if (newline == std::string::npos) throw Error("a design message from rank 0 has no hash line");
  const std::string hash = message.substr(0, newline);
  auto candidate =
      stack.scorer().candidate(model::parse_design(message.substr(newline + 1), "rank 0's design", stack.workload()));
  if (candidate.hash != hash) {
    throw Error("design " + hash + " reads back as " + candidate.hash +
                " on this rank: the ranks run different versions");
  }
  return std::move(candidate.design);
}

/// Scores what `work` asks of `design` and sends the result to rank 0.
void answer(const search::ScoringStack& stack, const WorkHeader& work, const model::Design& design) {
  if (work.last > work.first) {
    const search::PartialScore part = stack.scorer().score_part(design, work.first, work.last);
    send_message(0, kPart, PartHeader{work, part.seconds, part.setup_seconds},
                 std::string(reinterpret_cast<const char*>(part.logits.data()), part.logits.size() * sizeof(float)));
  } else {
    const ScoreMessage score{work, stack.scorer().score(design)};
    MPI_Send(&score, sizeof score, MPI_BYTE, 0, kScore, MPI_COMM_WORLD);
  }
}

}  // namespace

int serve_rank_zero() {
  // mpirun runs each rank in a process group of its own and passes a Ctrl-C on as SIGTERM, then
  // SIGKILL a second later (other launchers may send SIGINT). Rank 0 decides what stops: a worker
  // that died of the signal at once would make mpirun tear the job down before rank 0 has
  // written the run directory.
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGTERM, SIG_IGN);
  std::list<Built> built;  // most recently used first
  std::unique_ptr<tbb::global_control> threads;
  for (;;) {
    const MPI_Status status = wait_for_message(0);
    const std::string bytes = receive(status);
    if (status.MPI_TAG == kStop) return 0;
    SetupHeader reply;  // which set-up an answer is about
    try {
      if (status.MPI_TAG == kSetup) {
        std::string text;
        const auto header = header_of<SetupHeader>(bytes, &text);
        reply.setup = header.setup;
        threads.reset();
        if (header.threads > 0) {
          threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                          static_cast<std::size_t>(header.threads));
        }
        // Rank 0 says what the job is doing; the others' info lines would only repeat it.
        const auto level = static_cast<spdlog::level::level_enum>(header.log_level);
        spdlog::set_level(level == spdlog::level::info ? spdlog::level::warn : level);
        auto it = std::find_if(built.begin(), built.end(), [&](const Built& b) { return b.text == text; });
        if (it == built.end()) {
          built.push_front({text, header.setup, nullptr});  // kept empty if building fails, and dropped below
          built.front().stack = std::make_unique<search::ScoringStack>(search::ScoringSetup::parse(text));
        } else {
          built.splice(built.begin(), built, it);
          built.front().setup = header.setup;
        }
        while (built.size() > kStacksKept) built.pop_back();
        send_message(0, kReady, reply, built.front().stack->scorer().context());
      } else if (status.MPI_TAG == kDesign) {
        std::string design;
        const auto work = header_of<WorkHeader>(bytes, &design);
        reply.setup = work.setup;
        // Several set-ups may be in use at once (a search and its screening), so find the design's.
        const auto it = std::find_if(built.begin(), built.end(), [&](const Built& b) { return b.setup == work.setup; });
        if (it == built.end() || !it->stack) throw Error("a design came for a set-up this rank lacks");
        built.splice(built.begin(), built, it);
        const auto& stack = *built.front().stack;
        answer(stack, work, read_design(stack, design));
      }
    } catch (const std::exception& e) {
      if (!built.empty() && !built.front().stack) built.pop_front();
      send_message(0, kFailed, reply, e.what());
    }
  }
}

}  // namespace vitdse::cluster
