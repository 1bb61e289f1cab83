//! Trust policies and helm values as eksctl and the EKS docs write them.
