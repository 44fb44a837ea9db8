#pragma once
// What federated and data-parallel training need from a group of processes: sums over all of them,
// broadcast, barrier, and a small key/value exchange. The implementation is LibTorch's own c10d engine
// (ProcessGroupGloo over a TCPStore or FileStore, gloo_aggregator.cpp), the one under PyTorch's
// DistributedDataParallel: no home-made wire protocol. Gloo's headers stay out of this one, so that only
// one file pays their compile cost.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/types.h>

namespace dermgan::distributed {

// A peer died, hung past the timeout, or disagreed (config hash, round). The message names the site(s).
struct PeerError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// How the processes find each other.
struct Rendezvous {
    std::string master;     // "host:port" of a TCPStore that rank 0 serves, or
    std::string storeFile;  // a FileStore path (one machine, or a shared file system)
    int rank = 0;
    int world = 1;
    std::chrono::seconds timeout{1800};  // for joining and for every collective operation
};

class Aggregator {
public:
    virtual ~Aggregator() = default;
    virtual int rank() const = 0;
    virtual int world() const = 0;

    // Sums a contiguous tensor over all processes, in place (CPU or CUDA, float or double).
    virtual void allReduceSum(torch::Tensor& tensor) = 0;
    // Copies `root`'s contiguous tensor into everyone's, in place.
    virtual void broadcast(torch::Tensor& tensor, int root) = 0;
    virtual void barrier() = 0;
    // Publishes `value` under `key` for this rank, without waiting for anyone.
    virtual void publish(const std::string& key, const std::string& value) = 0;
    // Whether `rank` published `key` (without waiting): used to tell which site is missing.
    virtual bool published(const std::string& key, int rank) = 0;
    // Publishes `value` under `key` and returns every process's value for it, indexed by rank (waits).
    virtual std::vector<std::string> exchange(const std::string& key, const std::string& value) = 0;

    // In place, on every process: sum_k weight_k * t_k / sum_k weight_k, the same tensors in the same
    // order everywhere. Reduced in float64 in one flat buffer: one message, no rounding drift between sites.
    void weightedAverage(const std::vector<torch::Tensor>& tensors, double weight);
    // In place: the mean over all processes (data-parallel gradients), reduced in one flat float32 buffer.
    void average(const std::vector<torch::Tensor>& tensors);
    // In place: `root`'s values of all `tensors` (one flat message; float64 carries float32 exactly).
    void broadcast(const std::vector<torch::Tensor>& tensors, int root);
};

// Joins the group. Throws InputError for a malformed address or rank, PeerError when the others do not
// come within the timeout, and InputError when this build has no Gloo (distributedAvailable() false).
std::unique_ptr<Aggregator> connect(const Rendezvous& rendezvous);
bool distributedAvailable();

} // namespace dermgan::distributed
