# The platform Traefik Services as NKP's kommander-traefik HelmRelease (Flux, Traefik chart)
# creates them; NAMESPACE is kommander (management cluster) or a workspace namespace.
# Labels: the chart's app.kubernetes.io/{name,instance,managed-by}, Flux's helm.toolkit.fluxcd.io/*.
apiVersion: v1
kind: Namespace
metadata:
  name: NAMESPACE
---
apiVersion: v1
kind: Service
metadata:
  name: kommander-traefik
  namespace: NAMESPACE
  labels:
    app.kubernetes.io/name: traefik
    app.kubernetes.io/instance: kommander-traefik
    app.kubernetes.io/managed-by: Helm
    helm.toolkit.fluxcd.io/name: traefik
    helm.toolkit.fluxcd.io/namespace: NAMESPACE
spec:
  type: LoadBalancer
  selector:
    app.kubernetes.io/name: traefik
    app.kubernetes.io/instance: kommander-traefik
  ports:
    - {name: web, port: 80, targetPort: web, protocol: TCP}
    - {name: websecure, port: 443, targetPort: websecure, protocol: TCP}
---
apiVersion: v1
kind: Service
metadata:
  name: kommander-traefik-dashboard
  namespace: NAMESPACE
  labels:
    app.kubernetes.io/name: traefik
    app.kubernetes.io/instance: kommander-traefik
    app.kubernetes.io/managed-by: Helm
    helm.toolkit.fluxcd.io/name: traefik
    helm.toolkit.fluxcd.io/namespace: NAMESPACE
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: traefik
    app.kubernetes.io/instance: kommander-traefik
  ports:
    - {name: traefik, port: 9000, targetPort: traefik, protocol: TCP}
---
apiVersion: v1
kind: Service
metadata:
  name: kommander-traefik-prometheus
  namespace: NAMESPACE
  labels:
    app.kubernetes.io/name: traefik
    app.kubernetes.io/instance: kommander-traefik
    app.kubernetes.io/managed-by: Helm
    helm.toolkit.fluxcd.io/name: traefik
    helm.toolkit.fluxcd.io/namespace: NAMESPACE
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: traefik
    app.kubernetes.io/instance: kommander-traefik
  ports:
    - {name: metrics, port: 9100, targetPort: metrics, protocol: TCP}
