/*
 * evd.c - GEV and generalized Pareto quantiles and CDFs (evd.h). Written
 * from the closed forms; xi close to 0 takes the limit, where the general
 * form would divide by almost nothing and lose every digit.
 */
#include <math.h>

#include "evd.h"

/* Below this |xi| the xi = 0 limit is exact to double precision for the
 * sizes and gaps drawn (|xi z| stays far below 1e-9 relative). */
#define EVD_XI_ZERO 1e-12

const double evd_etc_head[EVD_ETC_HEAD] = {
	0.00536, 0.00047, 0.17820, 0.09239, 0.00018, 0.02740, 0.00065, 0.00606,
	0.00023, 0.00837, 0.00837, 0.08989, 0.00092, 0.00326, 0.01980,
};

double evd_gev_quantile(double mu, double sigma, double xi, double p)
{
	double t = -log(p); /* p = 0: +inf; p = 1: 0 */

	if (fabs(xi) < EVD_XI_ZERO)
		return mu - sigma * log(t);
	return mu + sigma * (pow(t, -xi) - 1) / xi;
}

double evd_gpareto_quantile(double theta, double sigma, double xi, double p)
{
	double s = 1 - p; /* the survival probability */

	if (fabs(xi) < EVD_XI_ZERO)
		return theta - sigma * log(s);
	return theta + sigma * (pow(s, -xi) - 1) / xi;
}

double evd_gev_cdf(double mu, double sigma, double xi, double x)
{
	double z = (x - mu) / sigma, t;

	if (fabs(xi) < EVD_XI_ZERO)
		return exp(-exp(-z));
	t = 1 + xi * z;
	if (t <= 0)
		return xi > 0 ? 0 : 1; /* below the lower end, or above the upper */
	return exp(-pow(t, -1 / xi));
}

double evd_gpareto_cdf(double theta, double sigma, double xi, double x)
{
	double z = (x - theta) / sigma, t;

	if (z <= 0)
		return 0;
	if (fabs(xi) < EVD_XI_ZERO)
		return 1 - exp(-z);
	t = 1 + xi * z;
	if (t <= 0)
		return 1; /* xi < 0: past the upper end theta - sigma / xi */
	return 1 - pow(t, -1 / xi);
}

double evd_gpareto_mean(double theta, double sigma, double xi)
{
	return theta + sigma / (1 - xi);
}
