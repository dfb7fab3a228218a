/*
 * evd.h - the generalized extreme value (GEV) and generalized Pareto
 * distributions: their quantile functions (inverse CDFs, by which sizes and
 * gaps are drawn from a uniform number) and CDFs (by which the tests check
 * the draws), and the Facebook ETC parameters (Atikoglu et al., SIGMETRICS
 * 2012, as mutilate ships them). Pure functions of their arguments.
 *
 * Definitions (docs/distributions.md, "Production-shaped sizes"):
 *   GEV(mu, sigma, xi):        F(x) = exp(-(1 + xi (x - mu) / sigma)^(-1/xi))
 *   gpareto(theta, sigma, xi): F(x) = 1 - (1 + xi (x - theta) / sigma)^(-1/xi)
 * for 1 + xi (x - .) / sigma > 0, and their limits exp(-exp(-z)) and
 * 1 - exp(-z) at xi = 0. sigma > 0; xi any finite number.
 */
#ifndef BENCH_EVD_H
#define BENCH_EVD_H

/* Key size, bytes: GEV. */
#define EVD_ETC_KEY_MU 30.7984
#define EVD_ETC_KEY_SIGMA 8.20449
#define EVD_ETC_KEY_XI 0.078688
/* Value size, bytes: a measured head for 0 .. EVD_ETC_HEAD - 1 bytes
 * (evd_etc_head), then gpareto(EVD_ETC_HEAD, sigma, xi) for the rest. */
#define EVD_ETC_VALUE_SIGMA 214.476
#define EVD_ETC_VALUE_XI 0.348238
#define EVD_ETC_HEAD 15
/* Inter-arrival gap, microseconds: gpareto(0, sigma, xi). */
#define EVD_ETC_GAP_SIGMA_US 16.0292
#define EVD_ETC_GAP_XI 0.154971

/* P(value size = i bytes), i < EVD_ETC_HEAD, as measured. */
extern const double evd_etc_head[EVD_ETC_HEAD];

/* The p-quantile (0 <= p <= 1; p = 0 or 1 may give -inf or +inf). */
double evd_gev_quantile(double mu, double sigma, double xi, double p);
double evd_gpareto_quantile(double theta, double sigma, double xi, double p);
/* P(X <= x). */
double evd_gev_cdf(double mu, double sigma, double xi, double x);
double evd_gpareto_cdf(double theta, double sigma, double xi, double x);
/* The mean of gpareto(theta, sigma, xi) for xi < 1: theta + sigma / (1 - xi). */
double evd_gpareto_mean(double theta, double sigma, double xi);

#endif
