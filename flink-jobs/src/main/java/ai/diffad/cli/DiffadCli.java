package ai.diffad.cli;
public class DiffadCli { public static void main(String[] a) { System.out.println("diffad"); } }
