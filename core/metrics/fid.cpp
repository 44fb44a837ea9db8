#include "metrics/fid.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>
#include <torch/torch.h>

#include "common/errors.h"

namespace dermgan::metrics {

namespace {

Eigen::MatrixXd toEigen(const torch::Tensor& t)
{
    const auto c = t.to(torch::kDouble).contiguous();
    // Row-major torch data into a column-major matrix: the covariance is symmetric, so a transposed copy is fine.
    Eigen::MatrixXd m = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        c.data_ptr<double>(), c.size(0), c.size(1));
    return m;
}

} // namespace

GaussianStats gaussianStats(const torch::Tensor& features)
{
    if (features.dim() != 2 || features.size(0) < 2)
        throw InputError("a Fréchet distance needs at least 2 feature vectors; got " +
                         std::to_string(features.dim() == 2 ? features.size(0) : 0));
    const auto x = features.to(torch::kDouble);
    GaussianStats stats;
    stats.count = x.size(0);
    stats.mean = x.mean(0);
    const auto centred = x - stats.mean;
    stats.covariance = centred.t().mm(centred) / static_cast<double>(stats.count - 1);
    return stats;
}

double frechetDistance(const GaussianStats& a, const GaussianStats& b)
{
    if (a.mean.size(0) != b.mean.size(0))
        throw InputError("feature sets differ in dimension: " + std::to_string(a.mean.size(0)) + " vs " +
                         std::to_string(b.mean.size(0)) + "; extract both with the same feature network");
    const double meanTerm = (a.mean - b.mean).square().sum().item<double>();
    const Eigen::MatrixXd s1 = toEigen(a.covariance), s2 = toEigen(b.covariance);

    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e1(s1);
    const Eigen::VectorXd root1 = e1.eigenvalues().cwiseMax(0.0).cwiseSqrt();
    const Eigen::MatrixXd sqrtS1 = e1.eigenvectors() * root1.asDiagonal() * e1.eigenvectors().transpose();
    const Eigen::MatrixXd product = sqrtS1 * s2 * sqrtS1;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e2(0.5 * (product + product.transpose()), Eigen::EigenvaluesOnly);
    const double traceSqrt = e2.eigenvalues().cwiseMax(0.0).cwiseSqrt().sum();
    return std::max(0.0, meanTerm + s1.trace() + s2.trace() - 2.0 * traceSqrt);
}

} // namespace dermgan::metrics
