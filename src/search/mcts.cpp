// Pareto-aware Monte Carlo Tree Search over the design space, one tree level per variable.
//
// - Order: the tree decides the variables with the widest cost range first (the choices that
//   matter most to the hardware), the rest are left to rollouts.
// - Selection: UCT on min-max normalised mean rewards, with progressive widening: a node visited
//   n times has at most ceil(c·n^alpha) children, added in the order of the policy prior.
// - Rollout: good designs are mostly exact with a few well-placed approximations, so a rollout
//   leaves undecided variables at their reference choice except about `rollout_changes` of them,
//   each drawn with weight prior(c)·exp(k·q(c)), q(c) being the normalised mean reward of every
//   scored point that had choice c (all-moves-as-first, as in RAVE: Gelly and Silver, 2007);
//   untried choices count as the best, so each gets tried.
// - Reward: SearchRun::reward, the MO-MCTS hypervolume reward (Wang and Sebag, 2012), so a design
//   is worth what it adds to the whole front rather than to one weighting of the objectives.
// - Parallel leaves: a batch of leaves is chosen under virtual loss (each pending visit counts
//   as the worst reward seen), scored as one batch, then backed up in order. The search depends
//   on the seed and the batch size only, never on the thread count.
// - Refinement: a share of each batch (`refine_share`) goes to Pareto local search around the
//   archive (FrontRefiner), screened by an additive accuracy model refitted after every batch.
//   The tree finds regions; refinement walks the front along the cheapest safe steps, as the
//   greedy baseline does, but from every front member at once and with what every evaluation
//   taught the model. Refined points are backed up along the tree's nodes that lead to them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>

#include "vitdse/core/random.hpp"
#include "vitdse/search/accuracy_model.hpp"
#include "vitdse/search/algorithms.hpp"
#include "vitdse/search/front_refiner.hpp"

namespace vitdse::search {

namespace {

struct Node {
  int choice = -1;  ///< the choice that led here
  std::vector<std::unique_ptr<Node>> children;
  double visits = 0, total = 0;
  int pending = 0;  ///< virtual losses of leaves not yet scored
};

/// Running statistics of a value: count and sum.
struct Mean {
  double n = 0, sum = 0;
};

class Tree {
 public:
  Tree(const SearchRun& run, const AlgorithmOptions& options) : space_(run.space()), options_(options) {
    const auto& vars = space_.variables();
    // Each variable's cost range when set alone on the reference design.
    std::vector<double> range(vars.size());
    const Point reference(vars.size(), 0);
    for (std::size_t v = 0; v < vars.size(); ++v) {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (std::size_t c = 0; c < vars[v].choices.size(); ++c) {
        Point p = reference;
        p[v] = static_cast<int>(c);
        const double e = run.scorer().cost_score(space_.design(p)).energy_uJ;
        lo = std::min(lo, e), hi = std::max(hi, e);
      }
      range[v] = hi - lo;
    }
    order_.resize(vars.size());
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return range[a] > range[b]; });
    for (const auto& v : vars) {
      std::vector<int> order(v.choices.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return v.prior[static_cast<std::size_t>(a)] > v.prior[static_cast<std::size_t>(b)];
      });
      expansion_order_.push_back(std::move(order));
      amaf_.emplace_back(v.choices.size());
    }
  }

  /// Descends from the root, expanding at most one node, and completes the point by rollout.
  /// The path's nodes get a virtual loss.
  std::pair<Point, std::vector<Node*>> select(Rng& rng) {
    const auto& vars = space_.variables();
    Point point(vars.size(), 0);
    std::vector<Node*> path{&root_};
    Node* node = &root_;
    std::size_t depth = 0;
    while (depth < vars.size()) {
      const std::size_t v = order_[depth];
      const double n = node->visits + node->pending;
      const auto allowed = static_cast<std::size_t>(
          std::min<double>(static_cast<double>(vars[v].choices.size()),
                           std::ceil(options_.widening_c * std::pow(n + 1, options_.widening_alpha))));
      if (node->children.size() < allowed) {
        auto child = std::make_unique<Node>();
        child->choice = expansion_order_[v][node->children.size()];
        node->children.push_back(std::move(child));
        node = node->children.back().get();
        point[v] = node->choice;
        path.push_back(node);
        ++depth;
        break;
      }
      node = best_child(*node);
      point[v] = node->choice;
      path.push_back(node);
      ++depth;
    }
    const double change = options_.rollout_changes / static_cast<double>(std::max<std::size_t>(1, vars.size() - depth));
    for (; depth < vars.size(); ++depth) {
      if (rng.uniform() < change) point[order_[depth]] = rollout_choice(order_[depth], rng);
    }
    for (Node* p : path) ++p->pending;
    return {std::move(point), std::move(path)};
  }

  void backup(const Point& point, const std::vector<Node*>& path, std::optional<double> reward) {
    for (Node* p : path) --p->pending;
    if (!reward) return;
    lo_ = std::min(lo_, *reward);
    hi_ = std::max(hi_, *reward);
    for (Node* p : path) p->visits += 1, p->total += *reward;
    for (std::size_t v = 0; v < point.size(); ++v) {
      Mean& m = amaf_[v][static_cast<std::size_t>(point[v])];
      m.n += 1, m.sum += *reward;
    }
  }

  /// Backs up a point the tree did not choose along the nodes that lead to it, as far as the
  /// tree has grown, so that statistics are shared by every way a design is reached.
  void observe(const Point& point, std::optional<double> reward) {
    std::vector<Node*> path{&root_};
    for (std::size_t depth = 0; depth < order_.size(); ++depth) {
      const auto& children = path.back()->children;
      const auto it = std::find_if(children.begin(), children.end(),
                                   [&](const auto& c) { return c->choice == point[order_[depth]]; });
      if (it == children.end()) break;
      path.push_back(it->get());
    }
    for (Node* p : path) ++p->pending;
    backup(point, path, reward);
  }

 private:
  [[nodiscard]] bool scored() const { return hi_ >= lo_; }
  /// A reward mapped to [0, 1] by the extremes seen so far.
  [[nodiscard]] double normalised(double reward) const {
    return scored() && hi_ > lo_ ? (reward - lo_) / (hi_ - lo_) : 0.5;
  }

  int rollout_choice(std::size_t v, Rng& rng) const {
    const auto& prior = space_.variables()[v].prior;
    std::vector<double> w(prior.size());
    for (std::size_t c = 0; c < w.size(); ++c) {
      const Mean& m = amaf_[v][c];
      const double q = m.n > 0 ? normalised(m.sum / m.n) : 1.0;
      w[c] = prior[c] * std::exp(options_.rollout_sharpness * q);
    }
    return static_cast<int>(rng.pick(w));
  }

  Node* best_child(Node& node) const {
    const double parent = node.visits + node.pending;
    const double lo = scored() ? lo_ : 0.0;  // before the first reward, pending visits are all there is
    Node* best = nullptr;
    double best_value = -std::numeric_limits<double>::infinity();
    for (auto& c : node.children) {
      const double n = c->visits + c->pending;
      double value = std::numeric_limits<double>::infinity();  // unvisited children first
      if (n > 0) {
        // Pending visits count as the worst reward seen: other leaves of the batch look elsewhere.
        const double mean = (c->total + c->pending * lo) / n;
        value = normalised(mean) + options_.exploration * std::sqrt(std::log(parent) / n);
      }
      if (value > best_value) best_value = value, best = c.get();
    }
    return best;
  }

  const DesignSpace& space_;
  const AlgorithmOptions& options_;
  std::vector<std::size_t> order_;  ///< variable decided at each depth
  std::vector<std::vector<int>> expansion_order_;
  std::vector<std::vector<Mean>> amaf_;  ///< per variable and choice
  Node root_;
  double lo_ = std::numeric_limits<double>::infinity(), hi_ = -std::numeric_limits<double>::infinity();
};

}  // namespace

void run_mcts(SearchRun& run, const AlgorithmOptions& options) {
  Tree tree(run, options);
  AccuracyModel model(run.space(), run.objectives().drop_scale_pp());
  FrontRefiner refiner(run);
  if (options.surrogate) model.fit(run.evaluations());
  Rng rng(options.seed);
  int idle = 0;                // batches in a row that scored nothing new: the reachable space is exhausted
  double refinements_due = 0;  // a share of a batch may be fractional: it accumulates
  while (!run.finished() && idle < 1000) {
    refinements_due += options.refine_share * static_cast<double>(options.batch);
    const auto wanted = std::min(options.batch, static_cast<std::size_t>(refinements_due));
    std::vector<Point> points = refiner.propose(model, wanted, {});
    refinements_due -= static_cast<double>(wanted);
    const std::size_t refined = points.size();  // the tree fills the rest of the batch
    std::vector<std::vector<Node*>> paths;
    while (points.size() < options.batch) {
      auto [point, path] = tree.select(rng);
      points.push_back(std::move(point));
      paths.push_back(std::move(path));
    }
    const std::size_t before = run.evaluations().size();
    const auto indices = run.evaluate(points);
    idle = run.evaluations().size() == before ? idle + 1 : 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const auto reward = indices[i] ? std::optional<double>(run.reward(*indices[i])) : std::nullopt;
      if (i < refined) {
        tree.observe(points[i], reward);
      } else {
        tree.backup(points[i], paths[i - refined], reward);
      }
    }
    if (options.surrogate) model.fit(run.evaluations());
  }
}

}  // namespace vitdse::search
